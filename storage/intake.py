"""What readers' comments meet when they arrive, read in one query for all of them.

Before a comment is stored the bot asks four things: was this very message stored already,
are they banned (until when), is the article still open, and what did they send lately.
Asked together, for every comment that arrived together, they cost one trip to the
database thread; under a burst of readers those trips, not SQLite's work, are what intake
spends its time on.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import aiosqlite

from storage import articles
from storage.db import fetch_all
from storage.models import Article

ARRIVALS_SQL = (
    "WITH incoming AS (SELECT key AS position, json_extract(value, '$[0]') AS user_id,"
    " json_extract(value, '$[1]') AS message_id, json_extract(value, '$[2]') AS text,"
    " json_extract(value, '$[3]') AS since, json_extract(value, '$[4]') AS article_id,"
    " json_extract(value, '$[5]') AS now"
    " FROM json_each(?))"
    " SELECT incoming.position,"
    " (SELECT id FROM submissions WHERE user_id = incoming.user_id"
    " AND source_message_id = incoming.message_id) AS stored_id,"
    # A ban holds until lifted or past its end (storage.readers).
    " ban.user_id IS NOT NULL AS banned, ban.until AS banned_until,"
    " (SELECT json_group_array(json_array(created_at, text = incoming.text)) FROM submissions"
    " WHERE user_id = incoming.user_id AND created_at > incoming.since) AS recent,"
    " reader.language AS chosen_language, reader.language_code AS known_language_code,"
    f" {articles.columns_of('article')}"
    " FROM incoming LEFT JOIN articles AS article ON article.id = incoming.article_id"
    " LEFT JOIN readers AS reader ON reader.user_id = incoming.user_id"
    " LEFT JOIN bans AS ban ON ban.user_id = incoming.user_id AND ban.lifted_at IS NULL"
    " AND (ban.until IS NULL OR ban.until > incoming.now)"
)


@dataclass(frozen=True)
class Incoming:
    user_id: int
    message_id: int | None
    text: str
    # The article the reader is commenting on (None: a comment typed in the discussion
    # group outside any post of ours).
    article_id: int | None
    # How far back the reader's submissions matter to the repeat and flood checks.
    since: float
    # When it arrived: a ban past its end no longer holds.
    now: float


@dataclass(frozen=True)
class Arrival:
    # The submission this Telegram message already became (handled again after a crash).
    stored_submission_id: int | None
    banned: bool
    # The article the reader is commenting on, if any and if it still exists.
    article: Article | None
    # The reader's submissions since the horizon asked for, newest first: when, and
    # whether its text is the text that arrived.
    recent: list[tuple[float, bool]]
    # The language the reader chose with /language, and the last language_code Telegram
    # gave for them: the acknowledgement's language travels in its row.
    chosen_language: str | None = None
    known_language_code: str | None = None
    # The end of the ban that holds (None: for good, or not banned).
    banned_until: float | None = None


async def comment_arrivals(
    conn: aiosqlite.Connection, incoming: Sequence[Incoming]
) -> list[Arrival]:
    """What each incoming comment meets, in the order given."""
    rows = await fetch_all(
        conn,
        ARRIVALS_SQL,
        (
            json.dumps(
                [[i.user_id, i.message_id, i.text, i.since, i.article_id, i.now] for i in incoming]
            ),
        ),
    )
    by_position = {int(row["position"]): row for row in rows}
    return [_arrival(by_position[position]) for position in range(len(incoming))]


def _arrival(row: aiosqlite.Row) -> Arrival:
    recent = sorted(
        ((float(at), bool(same)) for at, same in json.loads(row["recent"])), reverse=True
    )
    return Arrival(
        stored_submission_id=row["stored_id"],
        banned=bool(row["banned"]),
        banned_until=row["banned_until"],
        article=articles.article_from_row(row) if row["id"] is not None else None,
        recent=recent,
        chosen_language=row["chosen_language"],
        known_language_code=row["known_language_code"],
    )
