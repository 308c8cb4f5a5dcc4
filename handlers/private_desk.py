"""A moderator's private desk: /desk, its buttons, and answers written by replying to it."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable

from telegram import Message, Update
from telegram.ext import ContextTypes

from bot import callback_data
from bot.callback_data import PrivateDeskAction, PrivateDeskPress
from bot.i18n import Texts
from bot.rendering import bans as ban_texts
from bot.rendering import common as common_texts
from bot.rendering import contact as contact_texts
from bot.rendering import moderation_answers as answer_texts
from bot.rendering import private_desk as desk_texts
from bot.runtime import Runtime, person_of
from bot.services import contact_conversation, languages, moderation, private_desk
from bot.services.contact_conversation import ReplyResult
from bot.services.moderation import DecisionResult
from bot.services.private_desk import PressCheck, ReplyTarget
from handlers.presses import answer_press
from storage.models import Person

logger = logging.getLogger(__name__)


class PrivateDeskHandlers:
    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime

    async def _texts(self, person: Person) -> Texts:
        return await languages.texts_for(self._runtime.db, self._runtime.settings, person)

    async def open(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/desk in a private chat: the moderator's own desk; others are refused."""
        message = update.effective_message
        assert message is not None and update.effective_user is not None
        moderator = person_of(update.effective_user)
        t = await self._texts(moderator)
        allowed = await self._runtime.moderators.is_moderator(
            context.bot, moderator.user_id, fresh=True
        )
        if not allowed:
            await message.reply_text(
                desk_texts.only_moderators(t)
                if allowed is False
                else answer_texts.moderator_check_failed(t)
            )
            return
        await private_desk.open_desk(
            self._runtime.db, self._runtime.settings, moderator, time.time()
        )
        self._runtime.wake_outbox()

    async def press(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        press = callback_data.parse_private_desk(query.data)
        moderator = person_of(query.from_user)
        t = await self._texts(moderator)
        message = query.message
        # A desk lives in its moderator's own private chat; a press from anywhere else is
        # forged or stale.
        if press is None or message is None or message.chat.id != moderator.user_id:
            logger.warning("Ignored desk press %r from user %s", query.data, moderator.user_id)
            await answer_press(query, common_texts.stale_button(t), alert=True)
            return
        db, settings, now = self._runtime.db, self._runtime.settings, time.time()
        allowed = await self._runtime.moderators.is_moderator(
            context.bot, moderator.user_id, fresh=True
        )
        if allowed is None:
            await answer_press(query, answer_texts.moderator_check_failed(t), alert=True)
            return
        if not allowed:
            if await private_desk.desk_of(db, moderator.user_id) is None:
                # Never a moderator here: the button is forged.
                await answer_press(query, common_texts.stale_button(t), alert=True)
                return
            logger.info("Closed the desk of %s, who left the moderation group", moderator.user_id)
            await private_desk.close(db, settings, moderator.user_id, now)
            self._runtime.wake_outbox()
            await answer_press(query, desk_texts.no_longer_a_moderator(t), alert=True)
            return
        await private_desk.confirmed(db, moderator.user_id, now)
        check = await private_desk.check_press(
            db, moderator.user_id, message.message_id, press.submission_id or None
        )
        answer = await self._act(press, check, moderator, t, now)
        self._runtime.wake_outbox()
        await answer_press(query, answer, alert=check is not PressCheck.VALID)

    async def _act(
        self, press: PrivateDeskPress, check: PressCheck, moderator: Person, t: Texts, now: float
    ) -> str | None:
        """Do what the press asks, if the desk still holds what it was pressed on; returns
        the answer to the press."""
        db, settings = self._runtime.db, self._runtime.settings
        if check is PressCheck.CLOSED:
            return desk_texts.desk_closed(t)
        if press.action is PrivateDeskAction.CLOSE and check is not PressCheck.STALE:
            await private_desk.close(db, settings, moderator.user_id, now)
            return None
        if check is PressCheck.STALE:
            return common_texts.stale_button(t)
        if press.action is PrivateDeskAction.NEXT:
            await private_desk.resume(db, settings, moderator.user_id, now)
            return None
        if check is PressCheck.EXPIRED:
            return desk_texts.claim_ran_out(t)
        if press.action is PrivateDeskAction.SKIP:
            await private_desk.skip(db, settings, moderator.user_id, press.submission_id, now)
            return answer_texts.skipped(t)
        assert press.decision is not None
        # The decision moves this desk on, as it moves every desk that held the item.
        outcome = await moderation.decide(
            db,
            settings,
            press.submission_id,
            press.decision,
            moderator,
            now,
            on_private_desk_of=moderator.user_id,
            spam_filter=self._runtime.spam_filter,
        )
        if outcome.result is DecisionResult.APPLIED:
            return answer_texts.decision_done(t, press.decision, outcome.submission)
        if outcome.result is DecisionResult.WRONG_CARD:
            return common_texts.stale_button(t)
        if outcome.ban is not None:
            return ban_texts.approval_refused(t, outcome.ban)
        if outcome.submission is not None:
            return answer_texts.already_decided(t, outcome.submission)
        return answer_texts.submission_not_found(t)

    async def answer(self, message: Message, moderator: Person) -> bool:
        """A reply to one's own desk message while it shows a contact message: the answer
        goes to the reader. False when the reply is not to one's desk message (a reader's
        reply to the editors, say): the caller goes on."""
        assert message.reply_to_message is not None
        replied = message.reply_to_message
        reply = await private_desk.reply_target(
            self._runtime.db,
            moderator.user_id,
            replied.message_id,
            item_shown_by(replied),
            message.date.timestamp(),
        )
        if reply.target is ReplyTarget.NOT_THE_DESK:
            return False
        t = await self._texts(moderator)
        if reply.target is not ReplyTarget.CONTACT or not message.text:
            await message.reply_text(_REFUSED_REPLIES[reply.target](t))
            return True
        assert reply.submission_id is not None
        allowed = await self._runtime.moderators.is_moderator(
            message.get_bot(), moderator.user_id, fresh=True
        )
        if not allowed:
            await message.reply_text(
                desk_texts.no_longer_a_moderator(t)
                if allowed is False
                else answer_texts.moderator_check_failed(t)
            )
            if allowed is False:
                await private_desk.close(
                    self._runtime.db, self._runtime.settings, moderator.user_id, time.time()
                )
                self._runtime.wake_outbox()
            return True
        await private_desk.confirmed(self._runtime.db, moderator.user_id, time.time())
        outcome = await contact_conversation.answer_from_desk(
            self._runtime.db,
            moderator,
            reply.submission_id,
            (message.chat.id, message.message_id),
            message.text,
            time.time(),
        )
        if outcome.result is ReplyResult.QUEUED:
            self._runtime.wake_outbox()
            await message.reply_text(desk_texts.answer_queued(t, reply.submission_id))
        elif outcome.result is ReplyResult.READER_BANNED:
            await message.reply_text(contact_texts.answer_to_banned(t))
        elif outcome.result is ReplyResult.TOO_LONG:
            await message.reply_text(
                contact_texts.answer_too_long(t, contact_conversation.REPLY_MAX_LENGTH)
            )
        elif outcome.result is ReplyResult.EMPTY:
            await message.reply_text(contact_texts.answer_needs_text(t))
        return True


def item_shown_by(desk_message: Message) -> int | None:
    """The item a desk message showed as Telegram hands it with a reply to it, which is
    what the moderator answered: its buttons carry the item's id; failing them, the card's
    "#N", the first number so marked in the desk's text (the heading has none)."""
    keyboard = desk_message.reply_markup.inline_keyboard if desk_message.reply_markup else ()
    for row in keyboard:
        for button in row:
            data = button.callback_data if isinstance(button.callback_data, str) else None
            press = callback_data.parse_private_desk(data)
            if press is not None and press.submission_id:
                return press.submission_id
    marked = _ITEM_NUMBER.search(desk_message.text or "")
    return int(marked[1]) if marked else None


_ITEM_NUMBER = re.compile(r"#([0-9]{1,18})\b")


# Why a reply to one's desk delivers nothing (the CONTACT entry: it was not text).
_REFUSED_REPLIES: dict[ReplyTarget, Callable[[Texts], str]] = {
    ReplyTarget.CONTACT: contact_texts.answer_needs_text,
    ReplyTarget.COMMENT: desk_texts.comments_are_not_answered,
    ReplyTarget.MOVED: desk_texts.desk_moved_before_the_answer,
    ReplyTarget.JUST_CHANGED: desk_texts.desk_changed_just_before_the_answer,
    ReplyTarget.CLOSED: desk_texts.answer_to_closed_desk,
}
