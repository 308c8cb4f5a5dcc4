"""The channel's discussion group: where Telegram copies each post to start its thread,
and where readers type comments under it."""

from __future__ import annotations

import logging
import time

from telegram import Message, MessageOriginChannel, Update
from telegram.ext import ContextTypes

from bot.runtime import Runtime, person_of
from bot.services import articles, thread_comments
from bot.services.thread_comments import ThreadComment
from storage.submissions import ThreadSource

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

    async def thread_message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A comment typed under a post (THREAD_MODERATION=pre): held for a moderator."""
        message = update.effective_message
        assert message is not None
        author = message.from_user
        # Posts made as a chat (an anonymous admin, the channel, another channel) and
        # messages outside any post's thread are not held yet.
        if message.sender_chat is not None or author is None or author.is_bot:
            return
        if message.message_thread_id is None:
            return
        speaks = await self._runtime.moderators.speaks_for_the_group(context.bot, author.id)
        if speaks is None:
            # Not known whether to hold it: handled again shortly, never let through.
            raise RuntimeError(f"could not check whether user {author.id} moderates")
        if speaks:
            return
        reply_to = message.reply_to_message
        media = media_kind_of(message)
        outcome = await thread_comments.hold_for_moderation(
            self._runtime.db,
            self._runtime.settings,
            ThreadComment(
                person_of(author),
                message.message_thread_id,
                message.text or message.caption or "",
                ThreadSource(
                    message.chat.id,
                    message.message_id,
                    reply_to.message_id if reply_to is not None else None,
                    media,
                ),
                time.time(),
            ),
        )
        logger.info("Thread message %s: %s", message.message_id, outcome.result.value)
        self._runtime.wake_outbox()


# Checked in this order: a GIF comes as an animation and a document at once.
MEDIA_KINDS = (
    "animation",
    "photo",
    "video",
    "video_note",
    "sticker",
    "voice",
    "audio",
    "document",
)


def media_kind_of(message: Message) -> str | None:
    """The kind of media a message carries, or None for text."""
    return next((kind for kind in MEDIA_KINDS if getattr(message, kind)), None)
