"""Moderators in the moderation chat: decisions by button, a ban's term, the queue."""

from __future__ import annotations

import logging
import time

from telegram import MaybeInaccessibleMessage, Message, Update
from telegram.ext import ContextTypes

from bot import callback_data
from bot.delivery.group_minute import HANDLER_RESERVE
from bot.rendering import bans as ban_texts
from bot.rendering import common as common_texts
from bot.rendering import edits as edit_texts
from bot.rendering import moderation_answers as answer_texts
from bot.rendering import spam_list as spam_list_texts
from bot.runtime import Runtime, person_of
from bot.services import bans, desk, edits, effects, moderation, spam_undo
from bot.services.bans import TermResult
from bot.services.edits import EditResult
from bot.services.moderation import DecisionResult
from bot.services.spam_undo import UndoResult
from handlers.access import moderation_chat_press, require_moderator, texts_where
from handlers.presses import answer_press

logger = logging.getLogger(__name__)


class ModerationHandlers:
    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime

    async def decide(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        press = callback_data.parse_moderation(query.data)
        message = await moderation_chat_press(
            self._runtime, query, context, parsed=press is not None
        )
        if press is None or message is None:
            return
        settings, t = self._runtime.settings, self._runtime.moderation_texts
        outcome = await moderation.decide(
            self._runtime.db,
            settings,
            press.submission_id,
            press.decision,
            person_of(query.from_user),
            time.time(),
            pressed_on=(message.chat.id, message.message_id),
            spam_filter=self._runtime.spam_filter,
        )
        if outcome.result is DecisionResult.APPLIED:
            self._runtime.wake_outbox()
            await answer_press(
                query,
                answer_texts.decision_done(t, press.decision, outcome.submission, outcome.copies),
            )
        elif outcome.result is DecisionResult.ALREADY_DECIDED:
            assert outcome.submission is not None
            await answer_press(
                query, answer_texts.already_decided(t, outcome.submission), alert=True
            )
        elif outcome.result is DecisionResult.AUTHOR_BANNED:
            assert outcome.ban is not None
            await answer_press(query, ban_texts.approval_refused(t, outcome.ban), alert=True)
        elif outcome.result is DecisionResult.WRONG_CARD:
            logger.warning(
                "Refused press for item %s on a message that is not its card (%s)",
                press.submission_id,
                query.from_user.id,
            )
            await answer_press(query, common_texts.stale_button(t), alert=True)
        else:
            await answer_press(query, answer_texts.submission_not_found(t), alert=True)

    async def edit_press(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """✏️ Edit on a pending comment's card: the answer asks for the corrected text as a
        reply to the card (free, unlike a message: the group's minute is kept for cards)."""
        query = update.callback_query
        assert query is not None
        submission_id = callback_data.parse_edit(query.data)
        message = await moderation_chat_press(
            self._runtime, query, context, parsed=submission_id is not None
        )
        if submission_id is None or message is None:
            return
        t = self._runtime.moderation_texts
        outcome = await edits.request_edit(
            self._runtime.db,
            submission_id,
            person_of(query.from_user),
            time.time(),
            pressed_on=(message.chat.id, message.message_id),
        )
        if outcome.result is EditResult.REQUESTED:
            minutes = edits.EDIT_WINDOW_SECONDS // 60
            await answer_press(
                query, edit_texts.edit_requested(t, submission_id, minutes), alert=True
            )
        elif outcome.result is EditResult.ALREADY_DECIDED:
            assert outcome.submission is not None
            await answer_press(
                query, answer_texts.already_decided(t, outcome.submission), alert=True
            )
        elif outcome.result is EditResult.NOT_EDITABLE:
            assert outcome.submission is not None
            await answer_press(query, edit_texts.not_editable(t, outcome.submission), alert=True)
        elif outcome.result is EditResult.WRONG_CARD:
            logger.warning(
                "Refused edit press for item %s on a message that is not its card (%s)",
                submission_id,
                query.from_user.id,
            )
            await answer_press(query, common_texts.stale_button(t), alert=True)
        else:
            await answer_press(query, answer_texts.submission_not_found(t), alert=True)

    async def queue(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        assert message is not None
        if not await require_moderator(self._runtime, update, context):
            return
        pending = await desk.open_desk(self._runtime.db, self._runtime.settings, time.time())
        await self._runtime.reply(
            message, answer_texts.queue_summary(self._runtime.moderation_texts, pending)
        )
        self._runtime.wake_outbox()

    async def spam_list(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/spam: the latest catches, each with ↩️ Not spam (sent through the outbox: the
        group's minute)."""
        message = update.effective_message
        assert message is not None
        if not await require_moderator(self._runtime, update, context):
            return
        async with self._runtime.db.transaction() as conn:
            await effects.show_spam_list(
                conn, self._runtime.settings, time.time(), reply_to=message.message_id
            )
        self._runtime.wake_outbox()

    async def spam_undo(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """↩️ Not spam on /spam's list."""
        query = update.callback_query
        assert query is not None
        submission_id = callback_data.parse_spam_undo(query.data)
        message = await moderation_chat_press(
            self._runtime, query, context, parsed=submission_id is not None
        )
        if submission_id is None or message is None:
            return
        settings, t = self._runtime.settings, self._runtime.moderation_texts
        outcome = await spam_undo.restore(
            self._runtime.db,
            settings,
            submission_id,
            person_of(query.from_user),
            time.time(),
            pressed_on=(message.chat.id, message.message_id),
            spam_filter=self._runtime.spam_filter,
        )
        if outcome.result is UndoResult.WRONG_MESSAGE:
            logger.warning(
                "Refused spam undo %r on a message that is not a /spam list (%s)",
                query.data,
                query.from_user.id,
            )
            await answer_press(query, common_texts.stale_button(t), alert=True)
            return
        if outcome.result is UndoResult.NOT_FOUND:
            await answer_press(query, answer_texts.submission_not_found(t), alert=True)
            return
        if outcome.unbanned and outcome.submission is not None:
            # As /unban: a lifted ban takes any wait for flooding with it.
            self._runtime.floods.forgive(outcome.submission.author.user_id)
        if _shows_button(message, query.data):
            # The list still offers this item: brought up to date (an edit that would
            # change nothing is refused by Telegram, and spends the group's minute).
            async with self._runtime.db.transaction() as conn:
                await effects.show_spam_list(conn, settings, time.time(), edit=message.message_id)
            self._runtime.wake_outbox()
        if outcome.result is UndoResult.RESTORED:
            assert outcome.submission is not None
            await answer_press(
                query,
                spam_list_texts.restored(
                    t, outcome.unbanned, flooding=outcome.submission.caught_flooding
                ),
            )
        else:
            flooding = outcome.submission is not None and outcome.submission.caught_flooding
            await answer_press(
                query, spam_list_texts.already_restored(t, flooding=flooding), alert=True
            )

    async def ban_term(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A term tapped on the card whose `🚫 Ban author` made the ban (bot.services.bans)."""
        query = update.callback_query
        assert query is not None
        press = callback_data.parse_ban_term(query.data)
        term = bans.card_term(press.term) if press is not None else None
        message = await moderation_chat_press(
            self._runtime, query, context, parsed=press is not None and term is not None
        )
        if press is None or term is None or message is None:
            return
        t = self._runtime.moderation_texts
        outcome = await bans.choose_term(
            self._runtime.db,
            self._runtime.settings,
            press.submission_id,
            term,
            person_of(query.from_user),
            time.time(),
            pressed_on=(message.chat.id, message.message_id),
        )
        self._runtime.wake_outbox()
        ban, result = outcome.ban, outcome.result
        if result is TermResult.SET and ban is not None:
            await answer_press(query, ban_texts.term_set(t, ban))
        elif result is TermResult.UNCHANGED and ban is not None:
            await answer_press(query, ban_texts.term_unchanged(t, ban), alert=True)
        elif result is TermResult.LIFTED:
            if ban is not None:
                # As /unban: a lifted ban takes any wait for flooding with it.
                self._runtime.floods.forgive(ban.user_id)
            await answer_press(query, ban_texts.term_over(t), alert=True)
        elif result is TermResult.NO_BAN:
            await answer_press(query, ban_texts.no_ban_from_card(t), alert=True)
        else:
            await answer_press(query, common_texts.stale_button(t), alert=True)

    async def unknown_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        logger.warning("Unknown button data %r from user %s", query.data, query.from_user.id)
        t = await texts_where(
            self._runtime, query.message.chat if query.message else None, query.from_user
        )
        await answer_press(query, common_texts.stale_button(t), alert=True)

    async def desk_press(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A tap on the review desk: decide the item it shows (or skip it), then move on."""
        query = update.callback_query
        assert query is not None
        press = callback_data.parse_desk(query.data)
        message = await moderation_chat_press(
            self._runtime, query, context, parsed=press is not None
        )
        if press is None or message is None:
            return
        t = self._runtime.moderation_texts
        if not await desk.is_desk_message(
            self._runtime.db, message.message_id, press.submission_id
        ):
            logger.warning("Ignored desk press %r from user %s", query.data, query.from_user.id)
            await answer_press(query, common_texts.stale_button(t), alert=True)
            return
        now = time.time()
        if press.decision is None:
            answer = answer_texts.skipped(t)
        else:
            outcome = await moderation.decide(
                self._runtime.db,
                self._runtime.settings,
                press.submission_id,
                press.decision,
                person_of(query.from_user),
                now,
                on_group_desk=True,
                spam_filter=self._runtime.spam_filter,
            )
            answer = (
                answer_texts.decision_done(t, press.decision, outcome.submission, outcome.copies)
                if outcome.result is DecisionResult.APPLIED
                else ban_texts.approval_refused(t, outcome.ban)
                if outcome.ban is not None
                else answer_texts.already_decided(t, outcome.submission)
                if outcome.submission is not None
                else answer_texts.submission_not_found(t)
            )
        await desk.move_on(self._runtime.db, self._runtime.settings, press.submission_id, now)
        self._runtime.wake_outbox()
        budget, chat = self._runtime.budget, self._runtime.settings.moderation_chat_id
        if budget.free_places(chat) <= HANDLER_RESERVE:
            # Telegram's minute for this group is spent: say why the desk does not move yet.
            answer = answer_texts.desk_waits(
                t,
                answer,
                budget.next_place(chat, keep=HANDLER_RESERVE) - time.time(),
                self._runtime.settings.group_messages_per_minute,
            )
        await answer_press(query, answer)


def _shows_button(message: MaybeInaccessibleMessage, data: str | None) -> bool:
    markup = message.reply_markup if isinstance(message, Message) else None
    return markup is not None and any(
        button.callback_data == data for row in markup.inline_keyboard for button in row
    )
