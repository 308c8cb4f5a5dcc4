"""The sandbox's newsroom: who is in it, the chats, and the bot's settings for them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.settings import Settings
from sandbox.bot_api import FakeTelegram

# A made-up token the local Bot API accepts: the sandbox never talks to Telegram.
TOKEN = "100200300:SANDBOX-not-a-real-token"
BOT_ID = 100200300
BOT_USERNAME = "newsroom_sandbox_bot"

CHANNEL_ID = -1001000000001
MODERATION_CHAT_ID = -1001000000002
DISCUSSION_CHAT_ID = -1001000000003


@dataclass(frozen=True)
class Person:
    id: int
    first_name: str
    last_name: str | None
    username: str
    # What their Telegram app says its language is: the bot answers in it.
    language_code: str
    role: str  # admin, moderator or reader

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}" if self.last_name else self.first_name


ADMIN = Person(1001, "Alice", "Editor", "alice_editor", "en", "admin")
MODERATORS = (
    Person(1002, "Mo", "Rivera", "mo_rivera", "en", "moderator"),
    Person(1003, "Nina", "Okafor", "nina_okafor", "en", "moderator"),
)
READERS = (
    Person(2001, "Ada", "Lovelace", "ada_reads", "en", "reader"),
    Person(2002, "Lucía", "Fernández", "lucia_lee", "es", "reader"),
    Person(2003, "Sam", None, "sam_comments", "en-GB", "reader"),
)
PEOPLE = (ADMIN, *MODERATORS, *READERS)


def populate(telegram: FakeTelegram) -> None:
    """The newsroom on a new local Bot API: a channel with its discussion group, and a
    moderation group where the bot is an administrator, as the set-up guide leaves them."""
    for person in PEOPLE:
        telegram.add_user(
            person.id, person.first_name, person.last_name, person.username, person.language_code
        )
    telegram.add_channel(
        CHANNEL_ID, "The Daily Sandbox", username="daily_sandbox", linked_chat_id=DISCUSSION_CHAT_ID
    )
    telegram.add_group(
        DISCUSSION_CHAT_ID,
        "The Daily Sandbox chat",
        member_ids=[reader.id for reader in READERS],
        admin_ids=[ADMIN.id],
        linked_channel_id=CHANNEL_ID,
    )
    telegram.add_group(
        MODERATION_CHAT_ID,
        "Newsroom moderators",
        member_ids=[moderator.id for moderator in MODERATORS],
        admin_ids=[ADMIN.id],
    )
    # The set-up guide's step 2 (README, Setting it up): each admin opens the bot's chat
    # and sends /start, as a bot cannot write to anyone first (403 "bot can't initiate
    # conversation with a user"); the bot answers it once it runs.
    telegram.user_sends_text(ADMIN.id, "/start")


def new_telegram() -> FakeTelegram:
    """The local Bot API with Telegram's published limits on: 20 messages a minute to one
    group (sends and edits together), 30 a second overall (the Bot FAQ). A bot that
    exceeds them is refused with 429, and the page lists it."""
    telegram = FakeTelegram(token=TOKEN, bot_id=BOT_ID, bot_username=BOT_USERNAME)
    telegram.group_rate_limit_per_minute = 20
    telegram.overall_rate_limit_per_second = 30
    return telegram


def environment(api_url: str, data_dir: Path, feed_url: str) -> dict[str, str]:
    """The bot's settings for this world, as a `.env` would hold them."""
    return {
        "BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": api_url,
        "CHANNEL_ID": str(CHANNEL_ID),
        "MODERATION_CHAT_ID": str(MODERATION_CHAT_ID),
        "DISCUSSION_CHAT_ID": str(DISCUSSION_CHAT_ID),
        "ADMIN_IDS": str(ADMIN.id),
        "DATABASE_PATH": str(data_dir / "bot.sqlite3"),
        "FEED_URLS": feed_url,
        # The sandbox's blog is on this machine: looking every 5 s costs nothing.
        "FEED_POLL_SECONDS": "5",
        # The rest as .env.example has it, but quicker to try: a rejection is told after
        # 3 s rather than 30, and a reader may send again at once (five in ten minutes
        # still hold), so that whoever tries the desks sees the whole story.
        "REJECT_NOTICE_DELAY_SECONDS": "3",
        "FLOOD_MIN_INTERVAL_SECONDS": "0",
        "LOG_LEVEL": "WARNING",
        # Nothing leaves the machine, whatever the shell's environment says: the Combot
        # Anti-Spam list is on the internet.
        "CAS_CHECK": "off",
    }


def settings_from(environment: dict[str, str]) -> Settings:
    """Settings from the generated environment alone: a `.env` in the folder is not read."""
    values: dict[str, Any] = {key.lower(): value for key, value in environment.items()}
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def people_view() -> list[dict[str, Any]]:
    """Who the page shows a private chat for, in its order."""
    return [
        {
            "id": person.id,
            "name": person.name,
            "username": person.username,
            "language_code": person.language_code,
            "role": person.role,
        }
        for person in PEOPLE
    ]
