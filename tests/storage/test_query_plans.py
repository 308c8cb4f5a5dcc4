"""The queries the bot runs on every action use an index, not a scan of a growing table."""

from __future__ import annotations

import json

import pytest

from storage import (
    cas_answers,
    erasure,
    held_updates,
    intake,
    moderation_log,
    outbox,
    private_desks,
    readers,
    reply_notices,
    reports,
)
from storage.db import Database

# Each hot query, with parameters of the right types.
HOT_QUERIES = {
    "pending queue page": (
        "SELECT s.id FROM submissions s JOIN readers r ON r.user_id = s.user_id"
        " WHERE s.status = 'pending' ORDER BY s.id LIMIT ?",
        (5,),
    ),
    "article view, latest approved": (
        "SELECT s.author_name, s.text FROM submissions s"
        " WHERE s.article_id = ? AND s.status = 'approved' ORDER BY s.id DESC LIMIT ?",
        (1, 10),
    ),
    "approved count": (
        "SELECT COUNT(*) FROM submissions WHERE article_id = ? AND status = 'approved'",
        (1,),
    ),
    "decision": (
        "UPDATE submissions SET status = 'approved' WHERE id = ? AND status = 'pending'",
        (1,),
    ),
    "outbox next batch": (outbox.DUE_SQL, (1.0, json.dumps(["-100", "42"]), 100)),
    "outbox deliveries of the last minute": (outbox.RECENT_GROUP_DELIVERIES_SQL, (1.0,)),
    "outbox pruning": (
        "DELETE FROM outbox WHERE status != 'pending' AND settled_at < ?",
        (1.0,),
    ),
    # Every minute (bot.services.spam_digest).
    "spam digest count": ("SELECT COUNT(*) FROM submissions WHERE caught_at > ?", (1.0,)),
    "handled updates pruning": (
        "DELETE FROM processed_updates WHERE processed_at < ?",
        (1.0,),
    ),
    "reply notices pruning": ("DELETE FROM reply_notices WHERE noticed_at < ?", (1.0,)),
    "/spam list messages pruning": ("DELETE FROM spam_list_messages WHERE sent_at < ?", (1.0,)),
    "readers' states pruning": ("DELETE FROM reader_states WHERE updated_at < ?", (1.0,)),
    "what comments meet on arrival": (
        intake.ARRIVALS_SQL,
        (json.dumps([[1, 7, "a comment", 0.0, 3, 9.0], [2, 8, "another", 0.0, None, 9.0]]),),
    ),
    "outbox hold one chat": (
        "UPDATE outbox SET next_attempt_at = ? WHERE status = 'pending' AND chat_key = ?"
        " AND next_attempt_at <= ?",
        (2.0, "-100", 1.0),
    ),
    "flood and repeat check": (
        "SELECT created_at, text = ? FROM submissions WHERE user_id = ? AND created_at > ?"
        " ORDER BY created_at DESC",
        ("x", 1, 0.0),
    ),
    "submission of a message in the discussion group": (
        "SELECT s.id FROM submissions s WHERE s.thread_source_chat_id = ?"
        " AND s.thread_source_message_id = ? ORDER BY s.id DESC LIMIT 1",
        (-100, 7),
    ),
    "card of a message": (
        "SELECT submission_id FROM moderation_cards WHERE chat_id = ? AND message_id = ?",
        (1, 1),
    ),
    "submission of a reader's message": (
        "SELECT id FROM submissions WHERE user_id = ? AND source_message_id = ?",
        (1, 1),
    ),
    "processed updates": (
        "SELECT update_id FROM processed_updates WHERE update_id IN (?, ?)",
        (1, 2),
    ),
    "handled update held no more": (
        "DELETE FROM held_updates WHERE update_id IN (SELECT value FROM json_each(?))",
        (json.dumps([1, 2]),),
    ),
    "a person's first held update": (held_updates.FIRST_OF_SQL, (1,)),
    "stats: pending by kind": (reports.PENDING_BY_KIND_SQL, ()),
    "stats: oldest pending": (reports.OLDEST_PENDING_SQL, ()),
    "stats: decisions of the day and week": (reports.DECISION_COUNTS_SQL, (1.0, 0.0)),
    "stats: waits before decisions": (reports.DECISION_WAITS_SQL, (0.0,)),
    "stats: decisions by moderator": (reports.MODERATOR_TALLIES_SQL, (0.0,)),
    "status: outbox backlog by chat": (reports.OUTBOX_BACKLOG_SQL, ()),
    "private desk: next item no other desk holds": (
        private_desks.NEXT_UNCLAIMED_SQL,
        (1, json.dumps([3, 4]), 7),
    ),
    "private desk: claims run out": (
        "UPDATE private_desks SET state = 'expired', updated_at = ?"
        " WHERE state = 'open' AND claimed_until <= ? RETURNING moderator_id",
        (1.0, 1.0),
    ),
    "contact answer's copy under the card": (
        "SELECT submission_id FROM contact_replies WHERE group_copy_chat_id = ?"
        " AND group_copy_message_id = ?",
        (-100, 1),
    ),
    "CAS answer about a reader": (cas_answers.LOOKUP_SQL, (1, 0.0)),
    "CAS answers pruning": (cas_answers.PRUNE_SQL, (0.0,)),
    "a card's lines of the moderation record": (
        moderation_log.LATEST_OF_AUTHOR_SQL,
        (1, json.dumps(["reject", "remove"]), 10),
    ),
    # Every reply written in a post's thread.
    "published comment a reply answers": (reply_notices.ANSWERED_SQL, (7, -100, 7)),
    # Every ↩️ Reply link opened.
    "a message of an article's thread": (reply_notices.IN_THREAD_SQL, (1, 7, 7, 1, 1, 7)),
    # Every minute (bot.services.bans.BanExpiry).
    "bans that ran out": (readers.RUN_OUT_SQL, (1.0, 100)),
    "reader by @username": (readers.BY_USERNAME_SQL, ("Reader",)),
    # Hourly, in batches (bot.services.forget.Retention).
    "contact messages past retention": (erasure.CONTACTS_TO_ERASE_SQL, (1.0, 1.0, 100)),
    "rejected comments past retention": (erasure.REJECTED_TO_ERASE_SQL, (1.0, 1.0, 100)),
}


@pytest.mark.parametrize("name", sorted(HOT_QUERIES))
async def test_hot_query_uses_an_index(db: Database, name: str) -> None:
    """EXPLAIN QUERY PLAN names an index (or the primary key) and scans no table."""
    sql, parameters = HOT_QUERIES[name]
    async with db.reading() as conn:
        plan = [
            row[3] for row in await conn.execute_fetchall(f"EXPLAIN QUERY PLAN {sql}", parameters)
        ]
    assert plan, name
    for step in plan:
        # json_each is the list of values the query was given, not a table.
        if step.startswith("SCAN json_each"):
            continue
        assert not (step.startswith("SCAN") and "USING" not in step), (name, plan)
    assert any("INDEX" in step or "PRIMARY KEY" in step for step in plan), (name, plan)
