"""What handlers need at run time, built once by the wiring module."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from telegram import Message, User
from telegram.constants import ChatType
from telegram.ext import filters

from bot.cas import CasChecker
from bot.delivery.worker import OutboxWorker
from bot.i18n import Texts
from bot.moderators import ModeratorDirectory
from bot.services import effects
from bot.services.bans import BanExpiry
from bot.services.comment_batches import CommentIntake
from bot.services.feed_poller import FeedPoller
from bot.services.floods import FloodGate
from bot.services.forget import Retention
from bot.services.housekeeping import Housekeeping
from bot.services.private_desk import ClaimSweeper
from bot.services.spam_digest import SpamDigest
from bot.services.spam_screen import SpamScreen
from bot.settings import Settings
from bot.spam.filter import SpamFilter
from bot.telegram_budget import TelegramBudget
from bot.text import one_line
from storage.db import Database
from storage.models import Person


@dataclass
class Runtime:
    settings: Settings
    moderators: ModeratorDirectory
    budget: TelegramBudget
    # Who is flooding just now (in memory: a rate over seconds, not a record).
    floods: FloodGate
    # Opened in post_init, once the event loop runs.
    db_handle: Database | None = None
    outbox_handle: OutboxWorker | None = None
    comment_intake_handle: CommentIntake | None = None
    housekeeping_handle: Housekeeping | None = None
    feed_poller_handle: FeedPoller | None = None
    claim_sweeper_handle: ClaimSweeper | None = None
    spam_digest_handle: SpamDigest | None = None
    ban_expiry_handle: BanExpiry | None = None
    retention_handle: Retention | None = None
    spam_filter_handle: SpamFilter | None = None
    spam_screen_handle: SpamScreen | None = None
    cas_handle: CasChecker | None = None
    bot_username: str = ""
    # The Runtime is built with the Application, just before it starts: /status counts
    # the bot's uptime from here.
    started_at: float = field(default_factory=time.time)
    # The channel's linked group, which the bot never leaves (bot.chats).
    linked_group_id: int | None = None

    @property
    def db(self) -> Database:
        if self.db_handle is None:
            raise RuntimeError("the database is opened in post_init; it is not open yet")
        return self.db_handle

    @property
    def spam_filter(self) -> SpamFilter:
        if self.spam_filter_handle is None:
            raise RuntimeError("the spam filter is opened in post_init; it is not open yet")
        return self.spam_filter_handle

    @property
    def spam_screen(self) -> SpamScreen:
        if self.spam_screen_handle is None:
            raise RuntimeError("the spam check is opened in post_init; it is not open yet")
        return self.spam_screen_handle

    @property
    def comment_intake(self) -> CommentIntake:
        if self.comment_intake_handle is None:
            raise RuntimeError("comment intake is built in post_init; it is not built yet")
        return self.comment_intake_handle

    @property
    def moderation_texts(self) -> Texts:
        """The moderation group's language (MODERATION_LANGUAGE)."""
        return Texts(self.settings.moderation_language)

    def wake_outbox(self) -> None:
        if self.outbox_handle is not None:
            self.outbox_handle.wake()

    async def reply(self, message: Message, text: str) -> None:
        """A handler's answer to a message. In a private chat it goes at once. In a group it
        goes through the outbox: a group takes 20 messages a minute, and a reply waiting for
        the next minute inside the handler would hold every later update back with it."""
        if message.chat.type == ChatType.PRIVATE:
            await message.reply_text(text)
            return
        async with self.db.transaction() as conn:
            await effects.reply_in_group(
                conn, message.chat.id, message.message_id, text, time.time()
            )
        self.wake_outbox()


def person_of(user: User) -> Person:
    """The user as the bot keeps them; their names folded to one line each (a Telegram name
    may hold line breaks, tabs and direction marks)."""
    last_name = one_line(user.last_name) if user.last_name else None
    return Person(user.id, one_line(user.first_name), last_name, user.username, user.language_code)


class ChatOf(filters.MessageFilter):
    """Messages in the chat a setting names now. The ids are settled at start-up and move
    when Telegram upgrades a group (bot.chats, bot.services.chat_setup), after handlers
    were registered: the filter reads the setting each time."""

    def __init__(self, settings: Settings, field: str) -> None:
        super().__init__(name=f"ChatOf({field})")
        self._settings = settings
        self._field = field

    def filter(self, message: Message) -> bool:
        configured: object = getattr(self._settings, self._field)
        return message.chat.id == configured
