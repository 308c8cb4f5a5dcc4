"""Abuse controls: flood control, repeated texts, and what a card should flag."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

import aiosqlite

from bot.settings import Settings
from storage import history
from storage.models import AuthorHistory, Submission

# Anything a reader could click or paste as a link: schemes, www., bare domains with a path,
# and t.me handles.
_LINK = re.compile(
    r"(?i)\b(?:https?://|www\.|t\.me/)\S+|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}/\S*"
)


class RefusalReason(StrEnum):
    DUPLICATE = "duplicate"
    FLOOD = "flood"


@dataclass(frozen=True)
class Refusal:
    reason: RefusalReason
    # When the reader may send again (flood only).
    retry_at: float = 0.0


async def check_submission(
    conn: aiosqlite.Connection, settings: Settings, user_id: int, text: str, now: float
) -> Refusal | None:
    recent = await history.recent_submissions(conn, user_id, text, history_since(settings, now))
    return refusal_for(settings, recent, text, now)


def history_since(settings: Settings, now: float) -> float:
    """How far back a reader's submissions matter to the repeat and flood checks."""
    return min(now - settings.duplicate_window_hours * 3600, now - _flood_horizon(settings))


def refusal_for(
    settings: Settings, recent: list[tuple[float, bool]], text: str, now: float
) -> Refusal | None:
    """Why a submission must not be stored, or None, given the reader's `recent`
    submissions (newest first: when, and whether the text is the same). The repeat check
    comes first: a reader re-sending what we already have is told so, not told to wait."""
    duplicate_since = now - settings.duplicate_window_hours * 3600
    if text and any(same and at > duplicate_since for at, same in recent):
        return Refusal(RefusalReason.DUPLICATE)
    return _flood(settings, [at for at, _ in recent], now)


async def check_flood(
    conn: aiosqlite.Connection, settings: Settings, user_id: int, now: float
) -> Refusal | None:
    recent = await history.recent_submissions(conn, user_id, "", now - _flood_horizon(settings))
    return _flood(settings, [at for at, _ in recent], now)


def _flood_horizon(settings: Settings) -> float:
    return max(settings.flood_window_seconds, settings.flood_min_interval_seconds)


def _flood(settings: Settings, times_newest_first: list[float], now: float) -> Refusal | None:
    recent = [t for t in times_newest_first if t > now - _flood_horizon(settings)]
    retry_at = 0.0
    if recent and now - recent[0] < settings.flood_min_interval_seconds:
        retry_at = recent[0] + settings.flood_min_interval_seconds
    in_window = [t for t in recent if t > now - settings.flood_window_seconds]
    if len(in_window) >= settings.flood_window_max:
        # The window frees a place when the oldest of the last `max` submissions leaves it.
        retry_at = max(
            retry_at, in_window[settings.flood_window_max - 1] + settings.flood_window_seconds
        )
    return Refusal(RefusalReason.FLOOD, retry_at) if retry_at > now else None


def count_links(text: str) -> int:
    return len(_LINK.findall(text))


def watched_words_in(text: str, watch_words: list[str]) -> list[str]:
    """The watch words the text contains, case-insensitively, as whole words."""
    folded = text.casefold()
    return [word for word in watch_words if re.search(rf"(?<!\w){re.escape(word)}(?!\w)", folded)]


@dataclass(frozen=True)
class CardFlags:
    """What a moderator should look at before deciding."""

    links: int
    watched_words: list[str]
    history: AuthorHistory
    # A pending item and its near-identical copies waiting with it: a wave, one decision.
    wave: int = 1


def flags_for(
    submission: Submission, past: AuthorHistory, settings: Settings, *, wave: int = 1
) -> CardFlags:
    text = f"{submission.contact_name or ''} {submission.text}"
    return CardFlags(count_links(text), watched_words_in(text, settings.watch_words), past, wave)
