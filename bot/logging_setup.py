"""Logging that never prints the bot token nor people's words, as text or JSON lines."""

from __future__ import annotations

import json
import logging
import sqlite3
import traceback
from collections.abc import Mapping
from datetime import UTC, datetime
from types import TracebackType

import httpx
from telegram.error import TelegramError

from bot.settings import Settings
from storage import processed_updates
from storage.outbox import PayloadValue

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

# What every LogRecord carries; any other attribute of a record came in through `extra=`.
_RECORD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
}


def update_kinds(data: object) -> str:
    """What an update is (message, callback_query...), for a log line about it: never what
    it holds, which is people's words and names."""
    if not isinstance(data, dict):
        return type(data).__name__
    return ", ".join(sorted(str(key) for key in data if key != "update_id")) or "empty"


# Outbox payload strings that name a kind of message, not anyone's words.
_PAYLOAD_KINDS = frozenset({"notice", "kind", "language"})


def loggable_payload(payload: Mapping[str, PayloadValue]) -> dict[str, PayloadValue]:
    """An outbox row's payload as a log may show it: ids and kinds as they are, any other
    text (a reader's words or name, a title) by its length only."""
    return {
        key: f"<{len(value)} characters>"
        if isinstance(value, str) and key not in _PAYLOAD_KINDS
        else value
        for key, value in payload.items()
    }


# Exceptions whose messages are Telegram's, SQLite's, the system's or the HTTP client's
# words (a Bad Request's description, "database is locked", a path, an address), never a
# person's. Any other message may quote what someone typed: int("²") raises "invalid
# literal for int() with base 10: '²'", a KeyError names its key. Of those, a traceback
# keeps every frame and the type, and of the message its length only.
_MESSAGES_KEPT: tuple[type[BaseException], ...] = (
    TelegramError,
    sqlite3.Error,
    OSError,
    httpx.HTTPError,
)

_ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None] | tuple[None, None, None]


def traceback_text(exc_info: _ExcInfo) -> str:
    """A traceback as logging writes it, but for the messages that may quote people."""
    error = exc_info[1]
    if error is None:
        return logging.Formatter().formatException(exc_info)
    return "".join(_exception_lines(error, set())).removesuffix("\n")


def _exception_lines(error: BaseException, seen: set[int]) -> list[str]:
    """The lines of `error` and of the exceptions it was raised from or while handling,
    in the order (and with the words between them) that Python prints them."""
    seen.add(id(error))
    lines: list[str] = []
    cause, context = error.__cause__, error.__context__
    if cause is not None and id(cause) not in seen:
        lines += _exception_lines(cause, seen)
        lines.append("\nThe above exception was the direct cause of the following exception:\n\n")
    elif context is not None and not error.__suppress_context__ and id(context) not in seen:
        lines += _exception_lines(context, seen)
        lines.append("\nDuring handling of the above exception, another exception occurred:\n\n")
    if error.__traceback__ is not None:
        lines.append("Traceback (most recent call last):\n")
        lines += traceback.format_tb(error.__traceback__)
    if _message_kept(error):
        lines += traceback.format_exception_only(type(error), error)
    else:
        lines.append(f"{_qualified_name(error)}: {_withheld(error)}\n")
    return lines


def loggable_error(error: BaseException) -> str:
    """An exception on one line for a log, its message as traceback_text keeps it."""
    message = _message_of(error) if _message_kept(error) else _withheld(error)
    return f"{type(error).__name__}: {message}" if message else type(error).__name__


def _message_kept(error: BaseException) -> bool:
    return isinstance(error, _MESSAGES_KEPT) or not _message_of(error)


def _message_of(error: BaseException) -> str:
    try:
        return str(error)
    except Exception:
        return ""


def _withheld(error: BaseException) -> str:
    return f"<{len(_message_of(error))} characters withheld, they may quote someone>"


def _qualified_name(error: BaseException) -> str:
    kind = type(error)
    if kind.__module__ in {"builtins", "__main__"}:
        return kind.__qualname__
    return f"{kind.__module__}.{kind.__qualname__}"


class Tracebacks(logging.Formatter):
    """The text format, with tracebacks as traceback_text writes them."""

    def formatException(self, ei: _ExcInfo) -> str:  # noqa: N802 (logging's name)
        return traceback_text(ei)


class RedactToken(logging.Filter):
    """Replaces the token wherever it appears, whichever library wrote the line."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self._token = token

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self._token in message:
            record.msg = message.replace(self._token, "<BOT_TOKEN>")
            record.args = None
        # A traceback can quote a request URL, which carries the token: formatted here
        # once, redacted, and every formatter uses this text instead of formatting again.
        if record.exc_info and not record.exc_text:
            record.exc_text = _TRACEBACKS.formatException(record.exc_info)
        if record.exc_text and self._token in record.exc_text:
            record.exc_text = record.exc_text.replace(self._token, "<BOT_TOKEN>")
        return True


_TRACEBACKS = Tracebacks()


class QuietGatewayPages(logging.Filter):
    """python-telegram-bot logs a gateway's HTML error page (a 502 from the proxy in front
    of the Bot API) with a whole traceback; one line says the same. bot.polling logs the
    outage and the retry itself."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.getMessage().startswith("Can not load invalid JSON data"):
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            record.msg = "Telegram answered with a gateway error page instead of JSON"
            record.args = None
            record.exc_info = None
            record.exc_text = None
        return True


class UpdateBeingHandled(logging.Filter):
    """Tags every line written while an update is handled with its update_id, so that
    one reader's message can be followed through the log."""

    def filter(self, record: logging.LogRecord) -> bool:
        handled = processed_updates.current()
        if handled is not None and not hasattr(record, "update_id"):
            record.update_id = handled.update_id
        return True


class JsonLines(Tracebacks):
    """One JSON object per line: time (ISO 8601, UTC), level, logger, message, the exception
    when there is one, and whatever ids the call passed with `extra=` (update_id...)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        for key, value in vars(record).items():
            # An extra named like a field above must not overwrite what the record says.
            if key not in _RECORD_ATTRIBUTES:
                entry.setdefault(key, value)
        # json.dumps escapes the newlines of a traceback or a message, so the object stays
        # on one line. default=str: a value JSON cannot hold is logged as text rather than
        # losing the line.
        return json.dumps(entry, default=str)


def configure_logging(settings: Settings) -> None:
    handler = logging.StreamHandler()
    if settings.log_format == "json":
        handler.setFormatter(JsonLines())
        handler.addFilter(UpdateBeingHandled())
    else:
        handler.setFormatter(Tracebacks(TEXT_FORMAT))
    handler.addFilter(RedactToken(settings.bot_token.get_secret_value()))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level)
    logging.getLogger("telegram.request.BaseRequest").addFilter(QuietGatewayPages())
    # httpx logs every request URL at INFO, and the URL carries the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
