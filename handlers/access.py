"""Who is speaking for the moderators: one check, one wording for those who may not."""

from __future__ import annotations

from telegram import Chat, Message, Update, User
from telegram.ext import ContextTypes

from bot.i18n import Texts
from bot.rendering import moderation_answers as answer_texts
from bot.runtime import Runtime, person_of
from bot.services import languages
from storage.models import Person


def is_anonymous_admin(message: Message, moderation_chat_id: int) -> bool:
    """An admin of the moderation group who remains anonymous writes as GroupAnonymousBot,
    signed by the group itself: only that group's admins can."""
    sender = message.sender_chat
    return sender is not None and sender.id == message.chat.id == moderation_chat_id


def speaker(message: Message, moderation_chat_id: int) -> Person:
    """Who wrote a message in the moderation chat, as cards and answers name them."""
    if is_anonymous_admin(message, moderation_chat_id):
        return Person(message.chat.id, "Anonymous admin")
    assert message.from_user is not None
    return person_of(message.from_user)


async def texts_where(runtime: Runtime, chat: Chat | None, user: User | None) -> Texts:
    """The moderators' language in the moderation chat, where all read what the bot says;
    anywhere else (a stale button in a private chat, say) the person's own."""
    if user is None or (chat is not None and chat.id == runtime.settings.moderation_chat_id):
        return runtime.moderation_texts
    return await languages.texts_for(runtime.db, runtime.settings, person_of(user))


async def speaks_as_moderator(
    runtime: Runtime, message: Message, context: ContextTypes.DEFAULT_TYPE
) -> bool | None:
    """True or False, or None when Telegram could not be asked just now."""
    if is_anonymous_admin(message, runtime.settings.moderation_chat_id):
        return True
    if message.from_user is None:
        return False
    return await runtime.moderators.is_moderator(context.bot, message.from_user.id)


async def require_moderator(
    runtime: Runtime, update: Update, context: ContextTypes.DEFAULT_TYPE
) -> bool:
    """True for a moderator; anyone else (or an unanswerable check) is told why not."""
    message = update.effective_message
    assert message is not None
    allowed = await speaks_as_moderator(runtime, message, context)
    if allowed:
        return True
    t = await texts_where(runtime, message.chat, message.from_user)
    await runtime.reply(
        message,
        answer_texts.not_a_moderator(t)
        if allowed is False
        else answer_texts.moderator_check_failed(t),
    )
    return False
