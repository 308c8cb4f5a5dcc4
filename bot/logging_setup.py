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


def configure_logging(settings: Settings) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactToken(settings.bot_token.get_secret_value()))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level)
    logging.getLogger("telegram.request.BaseRequest").addFilter(QuietGatewayPages())
    # httpx logs every request URL at INFO, and the URL carries the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
