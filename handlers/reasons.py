"""Reasons after a rejection: a reason button on a card or a desk, and a moderator's own
reason written by replying to the card."""

from __future__ import annotations

import logging
import time

from telegram import Message, Update
from telegram.ext import ContextTypes

from bot import callback_data
from bot.callback_data import ReasonSurface
from bot.i18n import Texts
from bot.rendering import common as common_texts
from bot.rendering import moderation_answers as answer_texts
from bot.rendering import reasons as reason_texts
from bot.runtime import Runtime, person_of
from bot.services import languages, reasons
from bot.services.reasons import ReasonResult
from handlers.access import press_by_moderator, texts_where
from handlers.presses import answer_press
from storage.models import Person

logger = logging.getLogger(__name__)


class ReasonHandlers:
    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime

    async def press(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A reason button. Where it may be pressed (the card, the desk that offered it)
        is checked by the service, in the transaction that gives the reason."""
        query = update.callback_query
        assert query is not None
        press = callback_data.parse_reason(query.data)
        message = query.message
        if press is None or message is None:
            t = await texts_where(self._runtime, message.chat if message else None, query.from_user)
            await answer_press(query, common_texts.stale_button(t), alert=True)
            return
        moderator = person_of(query.from_user)
        t = await self._texts(press.surface, moderator)
        # A private desk's moderator is asked afresh: one who left the group loses it.
        fresh = press.surface is ReasonSurface.PRIVATE_DESK
        if not await press_by_moderator(self._runtime, query, context, t, fresh=fresh):
            return
        outcome = await reasons.give(
            self._runtime.db,
            self._runtime.settings,
            press.surface,
            press.submission_id,
            press.reason,
            moderator,
            time.time(),
            pressed_on=(message.chat.id, message.message_id),
        )
        result = outcome.result
        if result is ReasonResult.GIVEN:
            self._runtime.wake_outbox()
            await answer_press(query, reason_texts.given(t, press.reason))
        elif result is ReasonResult.ALREADY_GIVEN:
            assert outcome.submission is not None and outcome.submission.decision_reason
            given = outcome.submission.decision_reason
            await answer_press(query, reason_texts.given_already(t, given), alert=True)
        elif result is ReasonResult.NOT_ASKED:
            await answer_press(query, reason_texts.not_asked(t), alert=True)
        elif result is ReasonResult.NOT_FOUND:
            await answer_press(query, answer_texts.submission_not_found(t), alert=True)
        else:
            logger.warning(
                "Refused reason %r for item %s on a message that does not offer it (%s)",
                press.reason,
                press.submission_id,
                moderator.user_id,
            )
            await answer_press(query, common_texts.stale_button(t), alert=True)

    async def _texts(self, surface: ReasonSurface, moderator: Person) -> Texts:
        if surface is ReasonSurface.PRIVATE_DESK:
            return await languages.texts_for(self._runtime.db, self._runtime.settings, moderator)
        return self._runtime.moderation_texts

    async def own_reason(self, message: Message, moderator: Person) -> None:
        """A moderator's reply in the group that answers no contact message: their own
        reason, if it replies to the card of a rejected comment that has none. Any other
        reply is the moderators' own conversation, and gets no answer."""
        assert message.reply_to_message is not None
        t = self._runtime.moderation_texts
        outcome = await reasons.write_own(
            self._runtime.db,
            self._runtime.settings,
            message.chat.id,
            message.reply_to_message.message_id,
            message.text or "",
            moderator,
            time.time(),
        )
        submission = outcome.submission
        if outcome.result is ReasonResult.GIVEN:
            assert submission is not None and submission.decision_reason is not None
            self._runtime.wake_outbox()
            answer = reason_texts.own_reason_given(t, submission.id, submission.decision_reason)
        elif outcome.result is ReasonResult.ALREADY_GIVEN:
            assert submission is not None and submission.decision_reason is not None
            answer = reason_texts.own_reason_given_already(
                t, submission.id, submission.decision_reason
            )
        elif outcome.result is ReasonResult.TOO_LONG:
            answer = reason_texts.own_reason_too_long(t, reasons.OWN_REASON_MAX_LENGTH)
        else:
            return
        await self._runtime.reply(message, answer)
