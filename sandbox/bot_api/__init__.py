"""A strict fake Telegram Bot API server (the sandbox's and the tests'), and its pieces."""

from .client import loopback_request
from .html_parser import EntityParseError, parse_html, strip_formatted_text, utf16_length
from .markup import MarkupError, validate_reply_markup
from .reference import validate_object
from .server import TELEGRAM_SERVICE_USER, ApiCall, FakeTelegram

__all__ = [
    "TELEGRAM_SERVICE_USER",
    "ApiCall",
    "EntityParseError",
    "FakeTelegram",
    "MarkupError",
    "loopback_request",
    "parse_html",
    "strip_formatted_text",
    "utf16_length",
    "validate_object",
    "validate_reply_markup",
]
