"""Checks on reply_markup that the real server performs before accepting a message."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

# Telegram's limits on inline keyboards.
MAX_BUTTONS_PER_ROW = 8
MAX_BUTTONS = 100
MAX_CALLBACK_DATA_BYTES = 64

_BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)


class MarkupError(ValueError):
    """A reply_markup the real server refuses with `Bad Request: <message>`."""


def validate_reply_markup(markup: Any) -> dict[str, Any] | None:
    """Returns the inline keyboard a sent message will carry (None if it carries none).

    Reply keyboards, ForceReply and ReplyKeyboardRemove are accepted but, as on the real
    server, never echoed in the returned Message.
    """
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise MarkupError("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" not in markup:
        if not any(key in markup for key in ("keyboard", "remove_keyboard", "force_reply")):
            raise MarkupError("can't parse reply keyboard markup JSON object")
        return None
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise MarkupError(
            'field "inline_keyboard" of the InlineKeyboardMarkup should be an Array of Arrays'
        )
    kept_rows = [row for row in rows if row]
    total = sum(len(row) for row in kept_rows)
    if total > MAX_BUTTONS or any(len(row) > MAX_BUTTONS_PER_ROW for row in kept_rows):
        raise MarkupError("BUTTONS_TOO_MUCH")
    for row in kept_rows:
        for button in row:
            _validate_button(button)
    if not kept_rows:
        return None
    return {"inline_keyboard": kept_rows}


def _validate_button(button: Any) -> None:
    if not isinstance(button, dict):
        raise MarkupError(
            "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
        )
    if not isinstance(button.get("text"), str):
        raise MarkupError("can't parse inline keyboard button: Can't find field \"text\"")
    actions = [name for name in _BUTTON_ACTIONS if name in button]
    if not actions:
        raise MarkupError(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    if len(actions) > 1:
        raise MarkupError(
            f"can't parse inline keyboard button: exactly one of {', '.join(actions)} must be used"
        )
    if "callback_data" in button:
        data = button["callback_data"]
        size = len(data.encode("utf-8")) if isinstance(data, str) else 0
        if not 1 <= size <= MAX_CALLBACK_DATA_BYTES:
            raise MarkupError("BUTTON_DATA_INVALID")
    if "url" in button and not is_button_url(button["url"]):
        raise MarkupError("BUTTON_URL_INVALID")


def is_button_url(url: Any) -> bool:
    """Buttons accept HTTP(S) and tg:// links only."""
    if not isinstance(url, str) or not url or any(c.isspace() for c in url):
        return False
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme in {"http", "https"}:
        return bool(parts.hostname) and "." in (parts.hostname or "")
    return scheme == "tg" and len(url) > len("tg://")
