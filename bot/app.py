"""The one place that builds the Application and registers every handler, in order."""

from __future__ import annotations

import asyncio
import logging
import os
import time
from dataclasses import dataclass

from telegram import BotCommand, BotCommandScopeAllPrivateChats, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    Defaults,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot import callback_data
from bot.cas import CasChecker
from bot.chats import check_rights, resolve_chats
from bot.delivery.worker import OutboxWorker
from bot.i18n import SUPPORTED, Texts
from bot.moderators import ModeratorDirectory
from bot.polling import serve
from bot.rendering import readers as reader_texts
from bot.runtime import ChatOf, Runtime
from bot.services.bans import BanExpiry
from bot.services.comment_batches import CommentIntake
from bot.services.feed_poller import FeedPoller
from bot.services.floods import FloodGate
from bot.services.forget import Retention
from bot.services.housekeeping import Housekeeping
from bot.services.private_desk import ClaimSweeper
from bot.services.spam_digest import SpamDigest
from bot.services.spam_screen import SpamScreen
from bot.settings import Settings, ThreadModeration
from bot.spam.checker import Thresholds
from bot.spam.filter import SpamFilter
from bot.telegram_budget import CALLS_IN_FLIGHT, TelegramBudget
from handlers.admins import AdminHandlers
from handlers.bans import BanHandlers
from handlers.card_replies import CardReplies
from handlers.contact import ContactHandlers
from handlers.discussion import DiscussionHandlers
from handlers.errors import ErrorHandler
from handlers.floods import FloodGateHandler
from handlers.forget import ForgetHandlers
from handlers.membership import MembershipHandlers
from handlers.moderation import ModerationHandlers
from handlers.private_desk import PrivateDeskHandlers
from handlers.readers import ReaderHandlers
from handlers.reasons import ReasonHandlers
from handlers.record import RecordHandlers
from handlers.reports import ReportHandlers
from storage.db import Database

logger = logging.getLogger(__name__)

# Edited messages: a comment edited in the discussion group is looked at again; in a
# private chat, the reader hears that an edit changes nothing already sent.
# my_chat_member: to leave chats the bot is added to but not configured for, and to hear at
# once when it is demoted or removed in one of its own (handlers.membership).
ALLOWED_UPDATES = [
    Update.MESSAGE,
    Update.EDITED_MESSAGE,
    Update.CALLBACK_QUERY,
    Update.MY_CHAT_MEMBER,
]


def message_defaults() -> Defaults:
    """Every message is HTML (user text escaped by bot.rendering), without link previews."""
    return Defaults(
        parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)
    )


@dataclass(frozen=True)
class BotApp:
    application: Application  # type: ignore[type-arg]
    runtime: Runtime

    async def serve(
        self,
        stopping: asyncio.Event,
        *,
        poll_timeout: int = 10,
        started: asyncio.Event | None = None,
    ) -> None:
        await serve(
            self.application,
            ALLOWED_UPDATES,
            stopping,
            poll_timeout=poll_timeout,
            db_of=lambda: self.runtime.db,
            started=started,
        )


def _start_periodic(runtime: Runtime, settings: Settings) -> None:
    """The background work, each in a Periodic loop of its own."""
    runtime.housekeeping_handle = Housekeeping(runtime.db, settings)
    runtime.housekeeping_handle.start()
    if not settings.setting_up:
        runtime.claim_sweeper_handle = ClaimSweeper(runtime.db, settings, runtime.wake_outbox)
        runtime.claim_sweeper_handle.start()
        runtime.spam_digest_handle = SpamDigest(runtime.db, settings, runtime.wake_outbox)
        runtime.spam_digest_handle.start()
        runtime.ban_expiry_handle = BanExpiry(runtime.db, settings, runtime.wake_outbox)
        runtime.ban_expiry_handle.start()
        runtime.retention_handle = Retention(runtime.db, settings, runtime.wake_outbox)
        runtime.retention_handle.start()
    if settings.feed_urls and not settings.setting_up:
        runtime.feed_poller_handle = FeedPoller(runtime.db, settings, runtime.wake_outbox)
        runtime.feed_poller_handle.start()


async def _stop_periodic(runtime: Runtime) -> None:
    if runtime.housekeeping_handle is not None:
        await runtime.housekeeping_handle.stop()
    if runtime.feed_poller_handle is not None:
        await runtime.feed_poller_handle.stop()
    if runtime.claim_sweeper_handle is not None:
        await runtime.claim_sweeper_handle.stop()
    if runtime.spam_digest_handle is not None:
        await runtime.spam_digest_handle.stop()
    if runtime.ban_expiry_handle is not None:
        await runtime.ban_expiry_handle.stop()
    if runtime.retention_handle is not None:
        await runtime.retention_handle.stop()


def build_application(settings: Settings) -> BotApp:
    # python-telegram-bot 22 warns on every 429 unless asked for timedelta retry_after,
    # which the outbox worker reads.
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    budget = TelegramBudget(settings.messages_per_second, settings.group_messages_per_minute)
    runtime = Runtime(
        settings=settings,
        moderators=ModeratorDirectory(settings),
        budget=budget,
        floods=FloodGate(
            settings.flood_gate_burst, settings.flood_gate_refill_seconds, settings.flood_spam_after
        ),
    )

    async def post_init(application: Application) -> None:  # type: ignore[type-arg]
        runtime.db_handle = await Database.open(settings.database_path)
        runtime.bot_username = application.bot.username
        # Before anything reads a chat id: @usernames become ids, an empty
        # DISCUSSION_CHAT_ID becomes the linked group, moved groups their new ids.
        resolved = await resolve_chats(application.bot, settings, runtime.db)
        runtime.linked_group_id = resolved.linked_group_id
        # Before any button is handled: decisions teach it.
        runtime.spam_filter_handle = await SpamFilter.open(
            runtime.db, Thresholds(settings.spam_threshold, settings.spam_unsure_threshold)
        )
        # CAS is asked only with CAS_CHECK on; the spam check asks it beside its own.
        runtime.cas_handle = CasChecker(settings, runtime.db) if settings.cas_check else None
        runtime.spam_screen_handle = SpamScreen(
            runtime.db, settings, runtime.spam_filter_handle, runtime.cas_handle
        )
        runtime.comment_intake_handle = CommentIntake(
            runtime.db, settings, runtime.spam_screen_handle
        )
        runtime.outbox_handle = OutboxWorker(
            runtime.db, application.bot, settings, runtime.bot_username, budget
        )
        await runtime.outbox_handle.start()
        _start_periodic(runtime, settings)
        # After the worker started: what the admins must be told goes out at once.
        await check_rights(application.bot, settings, runtime.db, time.time())
        runtime.wake_outbox()
        try:
            # Telegram shows each user the menu of their app's language, else the default.
            for language in SUPPORTED:
                commands = [
                    BotCommand(command, description)
                    for command, description in reader_texts.commands(Texts(language))
                ]
                await application.bot.set_my_commands(
                    commands,
                    scope=BotCommandScopeAllPrivateChats(),
                    language_code=None if language == settings.default_language else language,
                )
        except TelegramError as error:
            # Only the command menu's hints; the bot works without them.
            logger.warning("Could not set the command menu: %s", error)
        logger.info("Bot @%s is running", runtime.bot_username)

    async def post_stop(application: Application) -> None:  # type: ignore[type-arg]
        # Here, not in post_shutdown: the bot's HTTP client must still be open for the
        # delivery in flight to finish.
        await _stop_periodic(runtime)
        if runtime.outbox_handle is not None:
            await runtime.outbox_handle.stop()

    async def post_shutdown(application: Application) -> None:  # type: ignore[type-arg]
        if runtime.cas_handle is not None:
            await runtime.cas_handle.close()
        if runtime.spam_filter_handle is not None and runtime.db_handle is not None:
            # What was learned since the last snapshot need not be replayed at the next start.
            await runtime.spam_filter_handle.save()
        if runtime.db_handle is not None:
            await runtime.db_handle.close()

    application = (
        ApplicationBuilder()
        .token(settings.bot_token.get_secret_value())
        .base_url(settings.telegram_api_url)
        .base_file_url(settings.telegram_file_url)
        .defaults(message_defaults())
        # Every call but getUpdates passes the budget: Telegram's overall and per-group limits.
        .rate_limiter(budget)
        .connection_pool_size(CALLS_IN_FLIGHT)
        .post_init(post_init)
        .post_stop(post_stop)
        .post_shutdown(post_shutdown)
        # Updates are fetched by bot.polling, which confirms them only once handled.
        .updater(None)
        # bot.polling runs one person's updates in order and different people's alongside.
        .concurrent_updates(True)
        .build()
    )
    register_handlers(application, runtime)
    return BotApp(application, runtime)


def register_handlers(application: Application, runtime: Runtime) -> None:  # type: ignore[type-arg]
    settings = runtime.settings
    reasons = ReasonHandlers(runtime)
    contact = ContactHandlers(runtime, reasons)
    private_desk = PrivateDeskHandlers(runtime)
    readers = ReaderHandlers(runtime, contact, private_desk)
    admins = AdminHandlers(runtime)
    moderation = ModerationHandlers(runtime)
    membership = MembershipHandlers(runtime)
    reports = ReportHandlers(runtime)
    bans = BanHandlers(runtime)
    card_replies = CardReplies(runtime, contact)
    forget = ForgetHandlers(runtime)

    new_message = filters.UpdateType.MESSAGE
    private = filters.ChatType.PRIVATE & new_message
    moderation_chat = ChatOf(settings, "moderation_chat_id") & new_message
    admin = filters.User(user_id=settings.admin_ids)

    # Before every other handler (group -1): a flooder's update stops here, unanswered.
    application.add_handler(TypeHandler(Update, FloodGateHandler(runtime).check), group=-1)
    application.add_handler(
        ChatMemberHandler(membership.bot_membership_changed, ChatMemberHandler.MY_CHAT_MEMBER)
    )
    if settings.setting_up:
        # MODERATION_CHAT_ID is empty: the bot only tells admins the ids of the groups it
        # is added to, and answers everyone else that it is being set up.
        application.add_handler(MessageHandler(private, readers.setting_up))
        application.add_error_handler(ErrorHandler(runtime))
        return
    # In any group: the new supergroup's message comes from a chat not known yet.
    application.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, membership.chat_migrated))
    _register_discussion(application, runtime, new_message)

    group_commands = [
        ("queue", moderation.queue),
        ("stats", reports.stats),
        ("ban", bans.ban),
        ("unban", bans.unban),
        ("bans", bans.list_bans),
        ("spam", moderation.spam_list),
        ("inbox", contact.inbox),
    ]
    for command, callback in group_commands:
        application.add_handler(CommandHandler(command, callback, filters=moderation_chat))
    # An author's record: in the group, or in a moderator's private chat (before the
    # private chat's unknown-command answer below).
    _register_record_commands(application, RecordHandlers(runtime), moderation_chat | private)
    # A reply to a card: a comment's corrected text after ✏️ Edit; to a contact card (or to
    # the reader's answer under it), an answer to the reader.
    application.add_handler(
        MessageHandler(moderation_chat & filters.REPLY & ~filters.COMMAND, card_replies.reply)
    )
    # Buttons, by what their data starts with.
    buttons = [
        (moderation.decide, f"^{callback_data.MODERATION_PREFIX}"),
        (readers.open_article_button, f"^{callback_data.ARTICLE_PREFIX}"),
        (moderation.desk_press, f"^{callback_data.DESK_PREFIX}"),
        (moderation.spam_undo, f"^{callback_data.SPAM_UNDO_PREFIX}"),
        (moderation.edit_press, f"^{callback_data.EDIT_PREFIX}"),
        (moderation.ban_term, f"^{callback_data.BAN_TERM_PREFIX}"),
        (reasons.press, f"^{callback_data.REASON_PREFIX}"),
        (private_desk.press, f"^{callback_data.PRIVATE_DESK_PREFIX}"),
        (contact.start_button, f"^{callback_data.CONTACT_START}$"),
        (readers.language_button, f"^{callback_data.LANGUAGE_PREFIX}"),
        (contact.use_telegram_name, f"^{callback_data.CONTACT_USE_TELEGRAM_NAME}$"),
        (forget.press, f"^{callback_data.FORGET_PREFIX}"),
    ]
    for callback, pattern in buttons:
        application.add_handler(CallbackQueryHandler(callback, pattern=pattern))
    # Any other button data (forged, or from a retired version) gets an answer, not silence.
    application.add_handler(CallbackQueryHandler(moderation.unknown_button))

    # Admin commands: admins first, then the same commands from anyone else are refused.
    admin_commands = [
        ("post", admins.post),
        ("articles", admins.list_articles),
        ("unpublish", admins.unpublish),
        ("status", reports.status),
        ("feeds", admins.list_feeds),
    ]
    for command, callback in admin_commands:
        application.add_handler(CommandHandler(command, callback, filters=private & admin))
    application.add_handler(
        CommandHandler([command for command, _ in admin_commands], admins.refuse, filters=private)
    )

    # A moderator's own review desk, in their private chat (moderators only).
    private_commands = [
        ("desk", private_desk.open),
        ("start", readers.start),
        ("help", readers.help),
        ("language", readers.language),
        ("contact", contact.command),
        ("cancel", readers.cancel),
        ("notifications", readers.notifications),
        ("mydata", readers.my_data),
        ("privacy", readers.privacy),
        # A reader's own data, or (an admin's /forget USER) another reader's.
        ("forget", forget.command),
    ]
    for command, callback in private_commands:
        application.add_handler(CommandHandler(command, callback, filters=private))
    # In a group (the discussion group's messages went to its handlers above): what is
    # the reader's own is said in private only.
    application.add_handler(
        CommandHandler(
            ["mydata", "privacy"], readers.privately, filters=filters.ChatType.GROUPS & new_message
        )
    )
    # Order matters from here: plain text is a comment, then unknown commands, then the rest.
    application.add_handler(MessageHandler(private & filters.TEXT & ~filters.COMMAND, readers.text))
    application.add_handler(MessageHandler(private & filters.COMMAND, readers.unknown_command))
    application.add_handler(MessageHandler(private, readers.not_text))
    application.add_handler(
        MessageHandler(filters.ChatType.PRIVATE & filters.UpdateType.EDITED_MESSAGE, readers.edited)
    )

    application.add_error_handler(ErrorHandler(runtime))


def _register_record_commands(
    application: Application,  # type: ignore[type-arg]
    record: RecordHandlers,
    where: filters.BaseFilter,
) -> None:
    application.add_handler(CommandHandler("history", record.history, filters=where))
    application.add_handler(CommandHandler("note", record.note, filters=where))


def _register_discussion(
    application: Application,  # type: ignore[type-arg]
    runtime: Runtime,
    new_message: filters.BaseFilter,
) -> None:
    """The channel's discussion group: its posts' copies, and what is written under them."""
    settings = runtime.settings
    discussion = DiscussionHandlers(runtime)
    # The discussion group may be learnt only at start-up (the channel's linked group):
    # until then the filter matches nothing.
    discussion_chat = ChatOf(settings, "discussion_chat_id")
    application.add_handler(
        MessageHandler(
            discussion_chat & new_message & filters.IS_AUTOMATIC_FORWARD,
            discussion.automatic_forward,
        )
    )
    if settings.thread_moderation is not ThreadModeration.OFF:
        application.add_handler(
            MessageHandler(
                # Everything readers can leave, down to polls and dice, and every edit of
                # it: only service messages (joins, pins) are not theirs.
                discussion_chat
                & (filters.UpdateType.MESSAGE | filters.UpdateType.EDITED_MESSAGE)
                & ~filters.IS_AUTOMATIC_FORWARD
                & ~filters.StatusUpdate.ALL,
                discussion.thread_message,
            )
        )
    else:
        # Left to Telegram, a reply is public at once: the comment it answers hears it.
        application.add_handler(
            MessageHandler(
                discussion_chat
                & new_message
                & filters.REPLY
                & ~filters.IS_AUTOMATIC_FORWARD
                & ~filters.StatusUpdate.ALL,
                discussion.unmoderated_reply,
            )
        )
