"""Logging that never prints the bot token, as text lines or as JSON lines."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from datetime import UTC, datetime

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


_TRACEBACKS = logging.Formatter()


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


class JsonLines(logging.Formatter):
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
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    handler.addFilter(RedactToken(settings.bot_token.get_secret_value()))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level)
    logging.getLogger("telegram.request.BaseRequest").addFilter(QuietGatewayPages())
    # httpx logs every request URL at INFO, and the URL carries the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
