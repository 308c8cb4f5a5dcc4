"""The channel's discussion group: where Telegram copies each post to start its thread."""

from __future__ import annotations

import logging
import time

from telegram import MessageOriginChannel, Update
from telegram.ext import ContextTypes

from bot.runtime import Runtime
from bot.services import articles

logger = logging.getLogger(__name__)


class DiscussionHandlers:
    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime

    async def automatic_forward(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        assert message is not None
        origin = message.forward_origin
        if not isinstance(origin, MessageOriginChannel):
            return
        article_id = await articles.link_discussion_copy(
            self._runtime.db, origin.message_id, message.message_id, time.time()
        )
        if article_id is not None:
            logger.info("Article %s: comment thread is message %s", article_id, message.message_id)
            self._runtime.wake_outbox()
