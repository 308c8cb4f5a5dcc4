"""The baseline: a bare python-telegram-bot echo bot, one handler and reply_text.

With ECHO_PACED=1 it keeps to Telegram's budgets the way python-telegram-bot offers:
its AIORateLimiter (30 a second overall, 20 a minute per group), retrying after a 429
(by default it would not, and a reply refused by Telegram would be lost).
"""

from __future__ import annotations

import os

from telegram import Update
from telegram.ext import AIORateLimiter, Application, ContextTypes, MessageHandler, filters


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None and update.message.text is not None
    await update.message.reply_text(update.message.text)


def main() -> None:
    builder = Application.builder().token(os.environ["BOT_TOKEN"])
    builder = builder.base_url(os.environ["TELEGRAM_API_URL"])
    paced = os.environ.get("ECHO_PACED") == "1"
    application = (
        builder.rate_limiter(AIORateLimiter(max_retries=5)) if paced else builder
    ).build()
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    application.run_polling(allowed_updates=[Update.MESSAGE])


if __name__ == "__main__":
    main()
