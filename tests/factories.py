"""Builders for settings and domain objects that tests share."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.services import thread_comments
from bot.services.spam_screen import SpamScreen
from bot.services.thread_comments import ThreadComment
from bot.settings import Settings
from storage.db import Database
from storage.models import LogEntry, LoggedAction, Person
from storage.thread_sources import ThreadSource

TOKEN = "123456:TEST-TOKEN"
CHANNEL_ID = -1001000000001
MODERATION_CHAT_ID = -1001000000002
DISCUSSION_CHAT_ID = -1001000000003
ADMIN_ID = 1001
MODERATOR_ID = 1002
READER_ID = 2001

READER = Person(READER_ID, "Ada", "Reader", "ada_reads")
MODERATOR = Person(MODERATOR_ID, "Mo", "Derator", "mod")


def make_settings(database_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "bot_token": TOKEN,
        "channel_id": CHANNEL_ID,
        "moderation_chat_id": MODERATION_CHAT_ID,
        "discussion_chat_id": None,
        "admin_ids": str(ADMIN_ID),
        "moderator_ids": "",
        "database_path": database_path,
        "moderator_cache_seconds": 0,
        # Most tests have one reader submit several times in a second; flood control has
        # tests of its own that set these back.
        "flood_min_interval_seconds": 0,
        "flood_window_max": 1000,
        # Likewise the 20-a-minute budget per group: the fake enforces it only when a test
        # turns it on, and those tests set this back to 20.
        "group_messages_per_minute": 10_000,
        # And the overall budget, which spaces every send: the tests of pacing set it.
        "messages_per_second": 0,
        # The author's rejection notice waits for a reason; the tests of reasons set this.
        "reject_notice_delay_seconds": 0,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def logged(action: LoggedAction, **changes: Any) -> LogEntry:
    """A line of the moderation record, by a moderator named in Cyrillic, at time 0."""
    values: dict[str, Any] = {
        "id": 1,
        "at": 0.0,
        "action": action,
        "moderator_id": 9,
        "moderator_name": "Иван Петров",
        "author_id": 5,
        "submission_id": 7,
        "reason": None,
        "until": None,
        "detail": {},
    }
    return LogEntry(**{**values, **changes})


async def typed_under_post(
    db: Database,
    settings: Settings,
    author: Person,
    message_id: int,
    now: float,
    *,
    thread: int,
    answering: int | None = None,
    spam: SpamScreen | None = None,
) -> int:
    """`author` types message `message_id` in the discussion group under the post whose
    copy there is `thread`, answering `answering` (the post itself if None); returns the
    item stored (held, or left up with THREAD_MODERATION=post)."""
    outcome = await thread_comments.hold_for_moderation(
        db,
        settings,
        ThreadComment(
            author,
            thread,
            f"Words {message_id}",
            ThreadSource(DISCUSSION_CHAT_ID, message_id, answering or thread),
            now,
        ),
        spam=spam,
    )
    assert outcome.submission_id is not None
    return outcome.submission_id
