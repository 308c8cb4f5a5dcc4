"""Readers in their private chat with the bot: articles, comments, help."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable

from telegram import BotCommand, BotCommandScopeChat, Message, Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot import callback_data
from bot.i18n import SUPPORTED, Texts
from bot.rendering import common as common_texts
from bot.rendering import contact as contact_texts
from bot.rendering import my_data as my_data_texts
from bot.rendering import readers as reader_texts
from bot.rendering import replies as reply_texts
from bot.runtime import Runtime, person_of
from bot.services import articles, comments, conversation, languages, my_data, reply_notices
from bot.services.comments import OpenResult, SubmitResult
from bot.services.conversation import Route, Routed
from handlers.contact import ContactHandlers
from handlers.presses import answer_press
from handlers.private_desk import PrivateDeskHandlers
from storage import processed_updates
from storage.models import Person

TextRoute = Callable[[Message, Person, Routed], Awaitable[None]]

logger = logging.getLogger(__name__)

CONTACT_PAYLOAD = "contact"

WELCOME_ARTICLES = 5


class ReaderHandlers:
    def __init__(
        self,
        runtime: Runtime,
        contact_handlers: ContactHandlers,
        desk_handlers: PrivateDeskHandlers,
    ) -> None:
        self._runtime = runtime
        self._contact = contact_handlers
        self._desk = desk_handlers
        # Where a text goes, by what the reader has open (conversation.route_of).
        self._text_routes: dict[Route, TextRoute] = {
            Route.COMMENT: self._comment,
            Route.CONTACT_FORM: self._contact.form_answer,
            Route.NOTHING_OPEN: self._nothing_open,
            Route.EXPIRED: self._expired,
        }

    async def start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        assert message is not None and update.effective_user is not None
        payload = context.args[0] if context.args else ""
        if payload == CONTACT_PAYLOAD:
            await self._contact.open_form(update)
            return
        article_id = common_texts.parse_article_payload(payload)
        if article_id is not None:
            await self._open_article(update, article_id)
            return
        # ↩️ Reply, from a notice that a comment was answered: the article, to answer that.
        answering = common_texts.parse_reply_payload(payload)
        if answering is not None:
            await self._open_article(update, answering[0], reply_to=answering[1])
            return
        listings = await articles.recent_articles(
            self._runtime.db, WELCOME_ARTICLES, published_only=True
        )
        t = await languages.texts_for(
            self._runtime.db, self._runtime.settings, person_of(update.effective_user)
        )
        text, markup = reader_texts.welcome(t, listings)
        await message.reply_text(text, reply_markup=markup)

    async def open_article_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        article_id = callback_data.parse_open_article(query.data)
        if article_id is None:
            t = await self._texts_of(person_of(query.from_user))
            await answer_press(query, common_texts.stale_button(t), alert=True)
            return
        await self._open_article(update, article_id)
        # Answered once the change is made, so that a press handled again after a failure
        # is not stopped by the refusal of a second answer.
        await answer_press(query)

    async def _open_article(
        self, update: Update, article_id: int, *, reply_to: int | None = None
    ) -> None:
        assert update.effective_user is not None and update.effective_chat is not None
        view = await comments.open_article(
            self._runtime.db,
            person_of(update.effective_user),
            article_id,
            time.time(),
            reply_to=reply_to,
        )
        if view.result is OpenResult.READY:
            # The article view is queued with the change: the outbox shows it.
            self._runtime.wake_outbox()
            return
        t = await self._texts_of(person_of(update.effective_user))
        if view.result is OpenResult.NOT_FOUND:
            text = reader_texts.article_not_found(t)
        elif view.result is OpenResult.CLOSED:
            text = reader_texts.article_closed(t, view.article)
        else:
            text = reader_texts.banned(t, view.banned_until)
        await update.effective_chat.send_message(text)

    async def _texts_of(self, reader: Person) -> Texts:
        return await languages.texts_for(self._runtime.db, self._runtime.settings, reader)

    async def help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None and update.effective_user is not None
        t = await languages.texts_for(
            self._runtime.db, self._runtime.settings, person_of(update.effective_user)
        )
        await update.effective_message.reply_text(reader_texts.help_text(t))

    async def language(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/language: English or Spanish, whatever Telegram says of the reader."""
        assert update.effective_message is not None and update.effective_user is not None
        t = await languages.texts_for(
            self._runtime.db, self._runtime.settings, person_of(update.effective_user)
        )
        text, markup = reader_texts.language_choice(t)
        await update.effective_message.reply_text(text, reply_markup=markup)

    async def language_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        code = callback_data.parse_language(query.data)
        if code not in SUPPORTED or query.message is None:
            t = await self._texts_of(person_of(query.from_user))
            await answer_press(query, common_texts.stale_button(t), alert=True)
            return
        t = await languages.choose(self._runtime.db, person_of(query.from_user), code, time.time())
        await context.bot.send_message(query.message.chat.id, reader_texts.language_chosen(t))
        try:
            # Their own command menu, in the language they chose over their app's.
            await context.bot.set_my_commands(
                [BotCommand(command, text) for command, text in reader_texts.commands(t)],
                scope=BotCommandScopeChat(query.message.chat.id),
            )
        except TelegramError as error:
            logger.warning("Could not set a reader's command menu: %s", error)
        await answer_press(query)

    async def notifications(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/notifications, /notifications on, /notifications off: reply notices."""
        assert update.effective_message is not None and update.effective_user is not None
        reader = person_of(update.effective_user)
        t = await self._texts_of(reader)
        given = " ".join(context.args or [])
        db = self._runtime.db
        if not given:
            on = await reply_notices.notifications_on(db, reader.user_id)
            text = reply_texts.notifications_state(t, on=on)
        elif given.lower() in {"on", "off"}:
            on = given.lower() == "on"
            await reply_notices.set_notifications(db, reader.user_id, on=on, now=time.time())
            text = reply_texts.notifications_changed(t, on=on)
        else:
            text = reply_texts.notifications_usage(t, given)
        await update.effective_message.reply_text(text)

    async def my_data(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/mydata: a copy of everything kept about the reader, as one file, once in a while."""
        assert update.effective_message is not None and update.effective_user is not None
        reader = person_of(update.effective_user)
        t = await self._texts_of(reader)
        if context.args:
            await update.effective_message.reply_text(my_data_texts.copy_usage(t))
            return
        request = await my_data.request_copy(
            self._runtime.db, self._runtime.settings, reader.user_id, time.time()
        )
        if request.accepted:
            await update.effective_message.reply_text(my_data_texts.copy_on_its_way(t))
            # The copy is queued with the request.
            self._runtime.wake_outbox()
            return
        assert request.last_at is not None and request.next_at is not None
        await update.effective_message.reply_text(
            my_data_texts.copy_too_soon(t, request.last_at, request.next_at)
        )

    async def privacy(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/privacy: what is kept, why, for how long; how to get a copy or erase it."""
        assert update.effective_message is not None and update.effective_user is not None
        settings = self._runtime.settings
        t = await self._texts_of(person_of(update.effective_user))
        await update.effective_message.reply_text(
            my_data_texts.privacy(
                t,
                contact_days=settings.contact_retention_days,
                rejected_days=settings.rejected_retention_days,
                log_days=settings.outbox_retention_days,
            )
        )

    async def privately(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/mydata or /privacy in a group: pointed to the private chat, nothing else said."""
        assert update.effective_message is not None and update.effective_user is not None
        t = await self._texts_of(person_of(update.effective_user))
        await update.effective_message.reply_text(
            my_data_texts.privately(t, self._runtime.bot_username)
        )

    async def cancel(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None and update.effective_user is not None
        cancelled = await comments.cancel(self._runtime.db, update.effective_user.id, time.time())
        if cancelled is None:
            t = await self._texts_of(person_of(update.effective_user))
            await update.effective_message.reply_text(reader_texts.nothing_to_cancel(t))
        else:
            # "Cancelled" is queued with the change.
            self._runtime.wake_outbox()

    async def text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A text message goes where the reader's stored state says, decided once."""
        message = update.effective_message
        assert message is not None and message.text is not None
        assert update.effective_user is not None
        reader = person_of(update.effective_user)
        # A moderator replying to their desk answers the contact message it shows; a reader
        # replying to the editors' answer continues that conversation, whatever else is open.
        if message.reply_to_message is not None and (
            await self._desk.answer(message, reader)
            or await self._contact.answer_editors(message, reader)
        ):
            return
        routed = await conversation.route_text(
            self._runtime.db, self._runtime.settings, reader.user_id, time.time()
        )
        await self._text_routes[routed.route](message, reader, routed)

    async def _comment(self, message: Message, reader: Person, routed: Routed) -> None:
        assert message.text is not None and routed.state is not None
        assert routed.state.article_id is not None
        outcome = await self._runtime.comment_intake.submit(
            comments.CommentRequest(
                reader,
                routed.state.article_id,
                message.text,
                time.time(),
                message.message_id,
                processed_updates.current(),
                reply_to=_reply_to(routed),
            )
        )
        if outcome.result in {
            SubmitResult.ACCEPTED,
            SubmitResult.PUBLISHED,
            SubmitResult.ALREADY_STORED,
        }:
            # Stored with its acknowledgement in the outbox, which says "received" once.
            self._runtime.wake_outbox()
            return
        t = await self._texts_of(reader)
        if outcome.result is SubmitResult.DUPLICATE:
            await message.reply_text(reader_texts.already_received(t))
        elif outcome.result is SubmitResult.FLOOD:
            await message.reply_text(
                reader_texts.wait_before_sending(t, outcome.retry_at, time.time())
            )
        elif outcome.result is SubmitResult.TOO_LONG:
            await message.reply_text(
                reader_texts.comment_too_long(
                    t, self._runtime.settings.comment_max_length, len(message.text.strip())
                )
            )
        elif outcome.result is SubmitResult.EMPTY:
            await message.reply_text(reader_texts.empty_comment(t))
        elif outcome.result is SubmitResult.BANNED:
            await message.reply_text(reader_texts.banned(t, outcome.banned_until))
        else:
            await message.reply_text(reader_texts.article_closed(t, outcome.article))

    async def _nothing_open(self, message: Message, reader: Person, routed: Routed) -> None:
        await message.reply_text(reader_texts.not_commenting(await self._texts_of(reader)))

    async def _expired(self, message: Message, reader: Person, routed: Routed) -> None:
        await message.reply_text(
            reader_texts.state_expired(
                await self._texts_of(reader), self._runtime.settings.reader_state_hours
            )
        )

    async def not_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        assert message is not None and update.effective_user is not None
        # A moderator's photo or sticker in reply to their desk is a refused answer.
        if message.reply_to_message is not None and await self._desk.answer(
            message, person_of(update.effective_user)
        ):
            return
        route = await conversation.current_mode(
            self._runtime.db, self._runtime.settings, update.effective_user.id, time.time()
        )
        t = await self._texts_of(person_of(update.effective_user))
        if route is Route.COMMENT:
            text = reader_texts.non_text_while_commenting(t)
        elif route is Route.CONTACT_FORM:
            text = contact_texts.form_needs_text(t)
        else:
            text = reader_texts.non_text(t)
        await message.reply_text(text)

    async def unknown_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None and update.effective_user is not None
        t = await self._texts_of(person_of(update.effective_user))
        await update.effective_message.reply_text(reader_texts.unknown_command(t))

    async def setting_up(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Set-up mode (MODERATION_CHAT_ID empty): nothing can be moderated yet."""
        message, user = update.effective_message, update.effective_user
        assert message is not None and user is not None
        t = await self._texts_of(person_of(user))
        if user.id in self._runtime.settings.admin_ids:
            await message.reply_text(reader_texts.setting_up_admin(t))
            return
        await message.reply_text(reader_texts.setting_up(t))

    async def edited(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.edited_message is not None and update.effective_user is not None
        t = await self._texts_of(person_of(update.effective_user))
        await update.edited_message.reply_text(reader_texts.edits_ignored(t))


def _reply_to(routed: Routed) -> int | None:
    """The thread message a comment answers, if the reader opened the article to answer it."""
    assert routed.state is not None
    stored = routed.state.data.get(comments.REPLY_TO, "")
    return int(stored) if stored.isascii() and stored.isdigit() else None
