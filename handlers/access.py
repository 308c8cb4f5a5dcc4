"""Who is speaking for the moderators: one check, one wording for those who may not."""

from __future__ import annotations

import logging

from telegram import CallbackQuery, Chat, MaybeInaccessibleMessage, Message, Update, User
from telegram.ext import ContextTypes

from bot.i18n import Texts
from bot.rendering import common as common_texts
from bot.rendering import moderation_answers as answer_texts
from bot.runtime import Runtime, person_of
from bot.services import languages
from handlers.presses import answer_press
from storage.models import Person

logger = logging.getLogger(__name__)


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


async def press_by_moderator(
    runtime: Runtime,
    query: CallbackQuery,
    context: ContextTypes.DEFAULT_TYPE,
    t: Texts,
    *,
    fresh: bool = False,
) -> bool:
    """Whether a button's presser moderates (`fresh`: asked of Telegram whatever the cache
    says); anyone else, or a check Telegram could not answer, is told why in the press's
    answer."""
    allowed = await runtime.moderators.is_moderator(context.bot, query.from_user.id, fresh=fresh)
    if allowed:
        return True
    if allowed is False:
        logger.warning("Refused a press from non-moderator %s", query.from_user.id)
    await answer_press(
        query,
        answer_texts.not_a_moderator(t)
        if allowed is False
        else answer_texts.moderator_check_failed(t),
        alert=True,
    )
    return False


async def moderation_chat_press(
    runtime: Runtime,
    query: CallbackQuery,
    context: ContextTypes.DEFAULT_TYPE,
    *,
    parsed: bool,
) -> MaybeInaccessibleMessage | None:
    """The message a button in the moderation chat was pressed on, if the press goes on:
    its data `parsed`, the message in the moderation chat (CallbackQueryHandler takes no
    chat filter, and any client can forge a press for a message it sees elsewhere), the
    presser a moderator. Anything else is answered here, and None returned."""
    message = query.message
    if not parsed or message is None or message.chat.id != runtime.settings.moderation_chat_id:
        logger.warning(
            "Ignored press %r from user %s in chat %s",
            query.data,
            query.from_user.id,
            message.chat.id if message else None,
        )
        t = await texts_where(runtime, message.chat if message else None, query.from_user)
        await answer_press(query, common_texts.stale_button(t), alert=True)
        return None
    if not await press_by_moderator(runtime, query, context, runtime.moderation_texts):
        return None
    return message
