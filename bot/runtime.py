"""What handlers need at run time, built once by the wiring module."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import User

from bot.delivery.worker import OutboxWorker
from bot.moderators import ModeratorDirectory
from bot.services.comments import CommentIntake
from bot.services.housekeeping import Housekeeping
from bot.settings import Settings
from bot.telegram_budget import TelegramBudget
from storage.db import Database
from storage.models import Person


@dataclass
class Runtime:
    settings: Settings
    moderators: ModeratorDirectory
    budget: TelegramBudget
    # Opened in post_init, once the event loop runs.
    db_handle: Database | None = None
    outbox_handle: OutboxWorker | None = None
    comment_intake_handle: CommentIntake | None = None
    housekeeping_handle: Housekeeping | None = None
    bot_username: str = ""

    @property
    def db(self) -> Database:
        if self.db_handle is None:
            raise RuntimeError("the database is opened in post_init; it is not open yet")
        return self.db_handle

    @property
    def comment_intake(self) -> CommentIntake:
        if self.comment_intake_handle is None:
            raise RuntimeError("comment intake is built in post_init; it is not built yet")
        return self.comment_intake_handle

    def wake_outbox(self) -> None:
        if self.outbox_handle is not None:
            self.outbox_handle.wake()


def person_of(user: User) -> Person:
    return Person(user.id, user.first_name, user.last_name, user.username)
