"""The channel's discussion group: where Telegram copies each post to start its thread,
and where readers type comments under it."""

from __future__ import annotations

import asyncio
import logging
import time

from telegram import Chat, Message, MessageOriginChannel, Update
from telegram.ext import ContextTypes

from bot.runtime import Runtime, person_of
from bot.services import articles, reply_notices, thread_comments
from bot.services.reply_notices import ThreadReply
from bot.services.thread_comments import ThreadComment
from bot.text import one_line
from storage.models import Person
from storage.thread_sources import ThreadSource

logger = logging.getLogger(__name__)


class DiscussionHandlers:
    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime

    async def automatic_forward(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        assert message is not None
        origin = message.forward_origin
        # The group may be linked to another channel (since the bot started, or by a
        # DISCUSSION_CHAT_ID that is not our channel's group): its posts are numbered as
        # ours are, and one kept for an article's coming post would become its thread.
        if not isinstance(origin, MessageOriginChannel) or not self._is_the_channel(origin.chat):
            return
        article_id = await articles.link_discussion_copy(
            self._runtime.db, origin.message_id, message.message_id, time.time()
        )
        if article_id is None:
            # Its post may not be recorded yet: kept, and linked when it is.
            logger.info(
                "Channel post %s: no article yet; its thread %s is kept",
                origin.message_id,
                message.message_id,
            )
            return
        logger.info("Article %s: comment thread is message %s", article_id, message.message_id)
        self._runtime.wake_outbox()

    def _is_the_channel(self, chat: Chat) -> bool:
        channel = self._runtime.settings.channel_id
        if isinstance(channel, int):
            return chat.id == channel
        # Usernames are case-insensitive.
        return chat.username is not None and chat.username.lower() == channel.lstrip("@").lower()

    async def thread_message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A comment typed under a post, or an edit of one: moderated (THREAD_MODERATION
        pre or post)."""
        message = update.effective_message
        assert message is not None
        sender_chat = message.sender_chat
        if sender_chat is not None:
            # The group itself is an anonymous admin, and the channel is the newsroom; a
            # comment sent as any other channel has that channel as its author.
            if sender_chat.id == message.chat.id or self._is_the_channel(sender_chat):
                await self._reply_written(message, sender_chat.id, sender_chat.title or "")
                return
            author = Person(
                sender_chat.id,
                one_line(sender_chat.title or "") or "A channel",
                None,
                sender_chat.username,
            )
            may_delete = await self._runtime.moderators.bot_may_delete(context.bot, message.chat.id)
        else:
            user = message.from_user
            if user is None or user.is_bot:
                return
            # When Telegram cannot say who they are just now, the comment is held: at worst
            # a moderator's own words wait for a colleague; a reader's never go unmoderated.
            # Asked beside the bot's own right to delete: the comment is public until then.
            speaks, may_delete = await asyncio.gather(
                self._runtime.moderators.speaks_for_the_group(context.bot, user.id),
                self._runtime.moderators.bot_may_delete(context.bot, message.chat.id),
            )
            if speaks:
                await self._reply_written(message, user.id, person_of(user).display_name)
                return
            author = person_of(user)
        reply_to = message.reply_to_message
        media = media_kind_of(message)
        outcome = await thread_comments.hold_for_moderation(
            self._runtime.db,
            self._runtime.settings,
            ThreadComment(
                author,
                message.message_thread_id,
                message.text or message.caption or "",
                ThreadSource(
                    message.chat.id,
                    message.message_id,
                    reply_to.message_id if reply_to is not None else None,
                    media,
                    int(message.edit_date.timestamp()) if message.edit_date is not None else 0,
                    file_id_of(message, media),
                    media_group_id=message.media_group_id,
                    file_unique_id=file_unique_id_of(message, media),
                ),
                time.time(),
                bot_may_delete=may_delete,
            ),
            self._runtime.floods,
            self._runtime.spam_screen,
        )
        logger.info("Thread message %s: %s", message.message_id, outcome.result.value)
        self._runtime.wake_outbox()

    async def unmoderated_reply(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """THREAD_MODERATION=off: whatever is written in the group is public at once."""
        message = update.effective_message
        assert message is not None
        if message.sender_chat is not None:
            await self._reply_written(
                message, message.sender_chat.id, message.sender_chat.title or ""
            )
        elif message.from_user is not None and not message.from_user.is_bot:
            await self._reply_written(
                message, message.from_user.id, person_of(message.from_user).display_name
            )

    async def _reply_written(self, message: Message, replier_id: int, name: str) -> None:
        """A message public as soon as it is written (an editor's, or any with
        THREAD_MODERATION=off): if it answers a published comment, its author hears it."""
        answered = message.reply_to_message
        if answered is None or message.edit_date is not None:
            return
        media = media_kind_of(message)
        reply = ThreadReply(
            message.chat.id,
            answered.message_id,
            message.message_id,
            replier_id,
            one_line(name),
            message.text or message.caption or f"[{media or ''}]",
        )
        if await reply_notices.reply_written(
            self._runtime.db, self._runtime.settings, reply, time.time()
        ):
            self._runtime.wake_outbox()


# Checked in this order: a GIF comes as an animation and a document at once, a venue as a
# venue and a location. Anything else without text (a checklist, say) is judged empty and
# taken down.
MEDIA_KINDS = (
    "animation",
    "photo",
    "video",
    "video_note",
    "sticker",
    "voice",
    "audio",
    "document",
    "poll",
    "venue",
    "location",
    "contact",
    "dice",
    "story",
)


def media_kind_of(message: Message) -> str | None:
    """The kind of media a message carries, or None for text."""
    return next((kind for kind in MEDIA_KINDS if getattr(message, kind)), None)


# Media a bot may send again by file_id, each with its own method (sendPhoto...).
FILE_KINDS = frozenset(
    {"photo", "video", "animation", "document", "audio", "voice", "video_note", "sticker"}
)


def file_id_of(message: Message, kind: str | None) -> str | None:
    """The file_id of a message's media, the largest size of a photo."""
    if kind not in FILE_KINDS:
        return None
    if kind == "photo":
        return message.photo[-1].file_id
    media = getattr(message, kind)
    return str(media.file_id)


def file_unique_id_of(message: Message, kind: str | None) -> str | None:
    """The same for the same file, whoever sends it: what tells a picture sent again."""
    if kind not in FILE_KINDS:
        return None
    if kind == "photo":
        return message.photo[-1].file_unique_id
    return str(getattr(message, kind).file_unique_id)
