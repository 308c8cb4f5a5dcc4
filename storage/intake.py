"""What a reader's comment meets when it arrives, read in one query.

Before a comment is stored the bot asks six things: was this very message stored already,
what is the reader doing, are they banned, is the article still open, what did they send
lately, and is a message to them still waiting in the outbox. Asked together they cost one
trip to the database thread instead of six;
under a burst of readers those trips, not SQLite's work, are what intake spends its time on.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import aiosqlite

from storage import articles
from storage.db import fetch_one
from storage.models import Article, ReaderState

ARRIVAL_SQL = (
    "SELECT"
    " (SELECT id FROM submissions WHERE user_id = :user AND source_message_id = :message)"
    " AS stored_id,"
    " state.mode AS mode, state.article_id AS state_article_id, state.data AS data,"
    " EXISTS (SELECT 1 FROM bans WHERE user_id = :user AND lifted_at IS NULL) AS banned,"
    " (SELECT json_group_array(json_array(created_at, text = :text)) FROM submissions"
    " WHERE user_id = :user AND created_at > :since) AS recent,"
    " EXISTS (SELECT 1 FROM outbox WHERE status = 'pending' AND chat_key = :chat)"
    " AS outbox_waiting,"
    f" {articles.columns_of('article')}"
    " FROM (SELECT :user AS user_id) AS reader"
    " LEFT JOIN reader_states AS state ON state.user_id = reader.user_id"
    " LEFT JOIN articles AS article ON article.id = state.article_id"
)


@dataclass(frozen=True)
class Arrival:
    # The submission this Telegram message already became (handled again after a crash).
    stored_submission_id: int | None
    state: ReaderState | None
    banned: bool
    # The article the reader is commenting on, if any and if it still exists.
    article: Article | None
    # The reader's submissions since the horizon asked for, newest first: when, and
    # whether its text is the text that arrived.
    recent: list[tuple[float, bool]]
    # Messages to the reader still waiting in the outbox: anything new goes after them.
    outbox_waiting: bool


async def comment_arrival(
    conn: aiosqlite.Connection, user_id: int, message_id: int | None, text: str, since: float
) -> Arrival:
    row = await fetch_one(
        conn,
        ARRIVAL_SQL,
        {
            "user": user_id,
            "chat": str(user_id),
            "message": message_id,
            "text": text,
            "since": since,
        },
    )
    assert row is not None  # the query selects from a one-row table
    state = (
        ReaderState(user_id, row["mode"], row["state_article_id"], json.loads(row["data"]))
        if row["mode"] is not None
        else None
    )
    recent = sorted(
        ((float(at), bool(same)) for at, same in json.loads(row["recent"])), reverse=True
    )
    return Arrival(
        stored_submission_id=row["stored_id"],
        state=state,
        banned=bool(row["banned"]),
        article=articles.article_from_row(row) if row["id"] is not None else None,
        recent=recent,
        outbox_waiting=bool(row["outbox_waiting"]),
    )
