"""Typed settings, read once from the environment or `.env` and passed down."""

from __future__ import annotations

import re
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

_CHANNEL_USERNAME = re.compile(r"^@[A-Za-z][A-Za-z0-9_]{3,31}$")


def _parse_id_list(value: object) -> object:
    """Accept `1, 2,3` (or `a, b`) as well as a list, so `.env` files stay readable."""
    if isinstance(value, int):
        return [value]
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


# The reasons offered after ❌ Reject and 🚫 Ban author (REJECT_REASONS): keys the bot has
# English and Spanish texts for (bot.rendering.reasons); any other is shown as written.
DEFAULT_REJECT_REASONS = ("off_topic", "insulting", "personal_data", "duplicate", "misleading")
# A keyboard of reasons, two a row, stays readable on a phone up to this many.
REJECT_REASONS_MAX = 10
# A reason's key travels in its button's callback data, which Telegram caps at 64 bytes:
# `why:v1:pdesk:<id of up to 18 digits>:` takes 32 of them (bot.callback_data.reason).
REJECT_REASON_KEY_MAX_BYTES = 32


def _reason_keys(value: object) -> object:
    if not isinstance(value, str):
        return value
    if not value.strip():
        return []
    keys = [part.strip() for part in value.split(",")]
    if "" in keys:
        raise ValueError("has an empty entry (two commas in a row, or one at an end)")
    if len(keys) > REJECT_REASONS_MAX:
        raise ValueError(f"lists {len(keys)} reasons; at most {REJECT_REASONS_MAX} fit a keyboard")
    for key in keys:
        if len(key.encode()) > REJECT_REASON_KEY_MAX_BYTES:
            raise ValueError(
                f"{key!r} is too long for a button's data:"
                f" at most {REJECT_REASON_KEY_MAX_BYTES} bytes a reason"
            )
    if len(set(keys)) != len(keys):
        raise ValueError("lists a reason twice")
    return keys


# DISCUSSION_CHAT_ID=none: no discussion group, even when the channel has one linked (an
# empty DISCUSSION_CHAT_ID means the linked one). Not a chat id: settled at start-up.
NO_DISCUSSION = 0
# MODERATION_CHAT_ID left empty: set-up mode (Settings.setting_up). Not a chat id.
SETTING_UP = 0


def _group_id(value: object) -> int:
    text = str(value).strip()
    if not re.fullmatch(r"-\d+", text):
        raise ValueError("must be a group id, a negative number such as -1001234567890")
    return int(text)


# A spam check's score or threshold (bot.spam.checker).
SpamScore = Annotated[float, Field(gt=0, le=1)]


def check_spam_thresholds(spam: float, unsure: float) -> None:
    """An "unsure" threshold above the spam one would leave no room for "unsure"."""
    if unsure > spam:
        raise ValueError("SPAM_UNSURE_THRESHOLD must not be above SPAM_THRESHOLD")


class SpamFilterMode(StrEnum):
    """What the spam check does with what readers send (bot.services.spam_screen)."""

    # Confident spam is removed (never a card); unsure is a flagged card.
    ON = "on"
    # A dry run: every message is a card, spam and unsure ones flagged; nothing is removed.
    FLAG = "flag"
    OFF = "off"


class ThreadModeration(StrEnum):
    """What happens to what readers type under a post, in the discussion group."""

    # Held: taken down at once, published by the bot when a moderator approves it.
    PRE = "pre"
    # Left up while moderators look: 🗑 Remove takes it down.
    POST = "post"
    # Not moderated: Telegram publishes it, as it does for any group.
    OFF = "off"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    bot_token: SecretStr
    telegram_api_url: str = "https://api.telegram.org/bot"
    channel_id: int | str
    moderation_chat_id: int = SETTING_UP
    discussion_chat_id: int | None = None
    thread_moderation: ThreadModeration = ThreadModeration.PRE
    admin_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    moderator_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    database_path: Path = Path("data/bot.sqlite3")
    # Readers whose Telegram language is not Spanish get this one (en or es); the channel
    # post's comment link and button, and the moderation group, have their own.
    default_language: Literal["en", "es"] = "en"
    channel_language: Literal["en", "es"] = "en"
    moderation_language: Literal["en", "es"] = "en"
    log_level: str = "INFO"
    # json: one object per line, for a log collector (journald, Docker, Loki...) to parse.
    log_format: Literal["text", "json"] = "text"
    # At most 2000: a published comment travels whole in one 4096-character message.
    comment_max_length: int = Field(default=2000, ge=1, le=2000)
    # Abuse controls. Flood control counts comments and contact messages together.
    flood_min_interval_seconds: float = Field(default=15.0, ge=0)
    flood_window_seconds: float = Field(default=600.0, ge=0)
    flood_window_max: int = Field(default=5, ge=1)
    duplicate_window_hours: float = Field(default=24.0, ge=0)
    # Floods (bot.services.floods): a person's updates in private chats and button presses
    # pass a bucket of FLOOD_GATE_BURST, refilled one every FLOOD_GATE_REFILL_SECONDS;
    # past it they are told once when to write again, then not answered until then.
    flood_gate_burst: int = Field(default=10, ge=1)
    flood_gate_refill_seconds: float = Field(default=1.0, ge=0)
    # This many messages more while told to wait: treated as spam (banned, here and from
    # the discussion group).
    flood_spam_after: int = Field(default=20, ge=1)
    watch_words: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # The blog's feeds (RSS or Atom), comma-separated: new entries are posted to the
    # channel by themselves. Polled every FEED_POLL_SECONDS.
    feed_urls: Annotated[list[str], NoDecode] = Field(default_factory=list)
    feed_poll_seconds: float = Field(default=300.0, gt=0)
    # 0 = off. N: a comment whose author has N approved comments and no rejection is
    # published at once (moderators can still take it back).
    trusted_auto_approve: int = Field(default=0, ge=0)
    # Telegram's budget for one group or channel: about 20 messages a minute.
    group_messages_per_minute: int = Field(default=20, ge=1)
    # And for the bot as a whole: about 30 messages a second. 27, evenly spaced, leaves
    # room for the jitter between the bot's sends and Telegram's clock: a burst of 600
    # readers met no 429 against the fake enforcing 30 (benchmarks.intake --paced).
    # 0 turns this pacing off (the unpaced intake benchmark does, as its baseline does).
    messages_per_second: int = Field(default=27, ge=0)
    # Membership of the moderation chat is checked with getChatMember; a short cache keeps
    # a burst of button presses from costing one API call each.
    moderator_cache_seconds: float = Field(default=60.0, ge=0)
    # An item on a moderator's private desk (/desk) is theirs alone this long; then it goes
    # back to the queue for the others.
    desk_claim_seconds: float = Field(default=300.0, ge=1)
    # The Combot Anti-Spam list (bot.cas): off unless asked for. When on, a reader's user
    # id, and nothing else, is sent to CAS_API_URL; an answer is kept CAS_CACHE_HOURS.
    cas_check: bool = False
    cas_api_url: str = "https://api.cas.chat"
    # A comment waits at most this long for CAS; without an answer by then, it goes on
    # without one ("unknown").
    cas_timeout_seconds: float = Field(default=2.0, gt=0, le=10)
    cas_cache_hours: float = Field(default=6.0, gt=0)
    # The spam check (bot.spam): a score from 0.0 to 1.0. At SPAM_THRESHOLD or above a
    # message is spam (the confident verdict); from SPAM_UNSURE_THRESHOLD it is "unsure"
    # (shown to moderators, flagged); below, ham. Measured in benchmarks/spam.py.
    spam_threshold: SpamScore = 0.98
    spam_unsure_threshold: SpamScore = 0.5
    # What the check does with what arrives: on (removes spam), flag (a dry run), off.
    spam_filter: SpamFilterMode = SpamFilterMode.ON
    # The author of spam typed under a post is banned from the discussion group, unless
    # they have an approved comment.
    spam_ban: bool = True
    # Offered after ❌ Reject and 🚫 Ban author on cards and desks, in this order.
    reject_reasons: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: list(DEFAULT_REJECT_REASONS)
    )
    # The author's "not approved" notice waits this long, so that a reason tapped just
    # after ❌ Reject goes in it; one given later follows in a notice of its own.
    reject_notice_delay_seconds: float = Field(default=30.0, ge=0, le=600)
    # Retention. A reader's open article or contact form lapses after this many hours.
    reader_state_hours: float = Field(default=24.0, gt=0)
    # Delivered and given-up outbox rows are kept this long (for the log of what was sent).
    outbox_retention_days: float = Field(default=7.0, gt=0)
    # Ids of handled updates: Telegram keeps an unconfirmed update for at most 24 hours.
    handled_updates_retention_hours: float = Field(default=48.0, ge=24)
    # Readers' personal data (issue 23): a contact message's name, email and words, and its
    # conversation's, are erased this long after the conversation's last message; a
    # rejected comment's words this long after its rejection.
    contact_retention_days: int = Field(default=365, ge=1)
    rejected_retention_days: int = Field(default=90, ge=1)
    # /mydata: a reader gets a copy of their data at most once in this many minutes (a
    # copy of a long history is a large file to build and to send).
    my_data_interval_minutes: float = Field(default=10.0, ge=0)

    @field_validator("thread_moderation", mode="before")
    @classmethod
    def _thread_moderation_shape(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.strip().lower()
        return value

    @field_validator("bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr) -> SecretStr:
        if not re.fullmatch(r"\d+:[A-Za-z0-9_-]+", value.get_secret_value()):
            raise ValueError("must look like 123456:ABC-DEF… (as given by @BotFather)")
        return value

    @field_validator("telegram_api_url")
    @classmethod
    def _api_url_shape(cls, value: str) -> str:
        if not re.match(r"^https?://[^\s/]+", value):
            raise ValueError("must be an http(s) URL such as https://api.telegram.org/bot")
        return value

    @field_validator("cas_api_url")
    @classmethod
    def _cas_url_shape(cls, value: str) -> str:
        if not re.match(r"^https?://[^\s/]+", value):
            raise ValueError("must be an http(s) URL such as https://api.cas.chat")
        # `/check` is added to it: a trailing slash would double.
        return value.rstrip("/")

    @field_validator("channel_id", mode="before")
    @classmethod
    def _channel_shape(cls, value: object) -> object:
        text = str(value).strip()
        if _CHANNEL_USERNAME.match(text):
            return text
        if re.fullmatch(r"-100\d+", text):
            return int(text)
        raise ValueError("must be a channel id such as -1001234567890 or a @username")

    @field_validator("discussion_chat_id", mode="before")
    @classmethod
    def _discussion_shape(cls, value: object) -> object:
        if value is None or str(value).strip() == "":
            return None
        if str(value).strip().lower() == "none":
            # bot.chats turns it into None once it knows the channel's linked group.
            return NO_DISCUSSION
        return _group_id(value)

    @field_validator("moderation_chat_id", mode="before")
    @classmethod
    def _moderation_shape(cls, value: object) -> object:
        if value is None or str(value).strip() == "":
            return SETTING_UP
        return _group_id(value)

    @model_validator(mode="after")
    def _spam_thresholds_in_order(self) -> Settings:
        check_spam_thresholds(self.spam_threshold, self.spam_unsure_threshold)
        return self

    @property
    def setting_up(self) -> bool:
        """MODERATION_CHAT_ID is empty: the bot runs only to tell the admins the ids of
        the groups it is added to, and what rights it lacks."""
        return self.moderation_chat_id == SETTING_UP

    @field_validator("admin_ids", "moderator_ids", mode="before")
    @classmethod
    def _id_lists(cls, value: object) -> object:
        return _parse_id_list(value)

    @field_validator("feed_urls", mode="before")
    @classmethod
    def _feed_urls(cls, value: object) -> object:
        urls = _parse_id_list(value)
        if not isinstance(urls, list):
            return urls
        for url in urls:
            if not re.match(r"^https?://[^\s/]+", str(url)):
                raise ValueError(f"{url!r} is not an http(s) URL")
        # A feed listed twice is fetched once.
        return list(dict.fromkeys(urls))

    @field_validator("watch_words", mode="before")
    @classmethod
    def _word_list(cls, value: object) -> object:
        if isinstance(value, str):
            return [word.strip().casefold() for word in value.split(",") if word.strip()]
        return value

    @field_validator("reject_reasons", mode="before")
    @classmethod
    def _reject_reasons(cls, value: object) -> object:
        return _reason_keys(value)

    @field_validator("log_level")
    @classmethod
    def _log_level_name(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
        return level

    @field_validator("default_language", "channel_language", "moderation_language", mode="before")
    @classmethod
    def _language_code(cls, value: object) -> object:
        code = str(value).strip().lower()
        if code not in {"en", "es"}:
            raise ValueError("must be en or es")
        return code

    @field_validator("log_format", mode="before")
    @classmethod
    def _log_format_name(cls, value: object) -> object:
        name = str(value).strip().lower()
        if name not in {"text", "json"}:
            raise ValueError("must be text or json")
        return name

    @property
    def telegram_file_url(self) -> str:
        """Files are served beside the API: `…/bot` becomes `…/file/bot`."""
        base = self.telegram_api_url.removesuffix("/bot")
        return f"{base}/file/bot"

    @property
    def moderator_user_ids(self) -> frozenset[int]:
        """Users who moderate without being members of the moderation chat."""
        return frozenset(self.admin_ids) | frozenset(self.moderator_ids)


class SettingsError(Exception):
    """A missing or invalid setting, worded for a one-line exit message."""


# What .env.example holds for the keys a newsroom must fill in: left as they are, the bot
# would poll Telegram with a token that does not exist, forever.
EXAMPLE_VALUES: dict[str, tuple[object, str]] = {
    "bot_token": ("123456789:replace-with-your-token", "the token @BotFather gave you"),
    "channel_id": ("@your_blog_channel", "your channel's @username or -100… id"),
    "admin_ids": ([11111111, 22222222], "the Telegram user ids of your admins"),
}


def _unfilled(settings: Settings) -> list[str]:
    lines = []
    for name, (example, wanted) in EXAMPLE_VALUES.items():
        value = getattr(settings, name)
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        if value == example:
            lines.append(f"{name.upper()} is still the example's value: put {wanted} there")
    return lines


def settings_problems(error: ValidationError) -> str:
    """Each setting refused, by its name in .env, with why: one line for an editor."""
    problems = []
    for item in error.errors():
        name = str(item["loc"][0]).upper() if item["loc"] else "settings"
        reason = "is required" if item["type"] == "missing" else item["msg"]
        reason = reason.removeprefix("Value error, ")
        problems.append(f"{name} {reason}")
    return "; ".join(problems)


def load_settings(**overrides: object) -> Settings:
    """The settings from the environment and .env; a value left as in .env.example is
    refused, one line per key to fill in."""
    try:
        settings = Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        raise SettingsError(settings_problems(error)) from None
    unfilled = _unfilled(settings)
    if unfilled:
        raise SettingsError("\n".join(unfilled))
    return settings
