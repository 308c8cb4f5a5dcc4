"""Logging that never prints the bot token."""

from __future__ import annotations

import logging

from bot.settings import Settings


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
        return True


class ClearTelegramFaults(logging.Filter):
    """Turns python-telegram-bot's fault logging into one clear line each.

    Its retry loop says "Retrying" only at DEBUG, and a gateway's HTML error page is logged
    with a whole traceback; an operator needs "Telegram unreachable, retrying" instead.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "Retrying." in message:
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            record.msg = f"Telegram unreachable, will retry with backoff: {message}"
            record.args = None
            return True
        if message.startswith("Can not load invalid JSON data"):
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            record.msg = "Telegram answered with a gateway error page instead of JSON"
            record.args = None
            record.exc_info = None
            record.exc_text = None
            return True
        return record.levelno >= self._level

    def __init__(self, level: int) -> None:
        super().__init__()
        self._level = level


# The loggers whose records ClearTelegramFaults rewrites: python-telegram-bot's retry loop
# logs as "telegram.ext", its request layer as "telegram.request.BaseRequest".
_TELEGRAM_FAULT_LOGGERS = ("telegram.ext", "telegram.request.BaseRequest")


def configure_logging(settings: Settings) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactToken(settings.bot_token.get_secret_value()))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level)
    level = logging.getLevelName(settings.log_level)
    handler.setLevel(level)
    for name in _TELEGRAM_FAULT_LOGGERS:
        fault_logger = logging.getLogger(name)
        # DEBUG reaches the filter, which keeps only what LOG_LEVEL would keep (and the
        # handler's level drops the DEBUG lines of child loggers).
        fault_logger.setLevel(logging.DEBUG)
        fault_logger.addFilter(ClearTelegramFaults(level))
    # httpx logs every request URL at INFO, and the URL carries the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
