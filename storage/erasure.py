"""Erasing a reader's words and names (/forget), and what retention erases by age.

The service (bot.services.forget) decides what goes and what the chats are told; these are
the statements. An erased submission keeps its row, its status and who decided it (the
moderation record points at it); its words, and a contact message's name and email, go.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from typing import Any

import aiosqlite

from storage import spam
from storage.db import fetch_all

# A list of ids (or keys) bound as one JSON parameter: SQLite binds at most 32766.
_IDS = "SELECT value FROM json_each(?)"


def ids_parameter(ids: Collection[int]) -> str:
    return json.dumps(sorted(ids))


async def submission_ids_of(conn: aiosqlite.Connection, user_id: int) -> list[int]:
    rows = await fetch_all(
        conn, "SELECT id FROM submissions WHERE user_id = ? ORDER BY id", (user_id,)
    )
    return [int(row[0]) for row in rows]


async def reader_words(conn: aiosqlite.Connection, submission_ids: Collection[int]) -> list[str]:
    """Everything the reader wrote that the bot keeps: their submissions' texts (and the
    moderators' corrections of them, which repeat them), contact names and emails, and
    their answers in contact conversations."""
    rows = await fetch_all(
        conn,
        "SELECT text FROM submissions WHERE id IN (" + _IDS + ")"
        " UNION SELECT corrected_text FROM submissions WHERE id IN (" + _IDS + ")"
        " UNION SELECT contact_name FROM submissions WHERE id IN (" + _IDS + ")"
        " UNION SELECT contact_email FROM submissions WHERE id IN (" + _IDS + ")"
        " UNION SELECT text FROM contact_replies WHERE direction = 'to_editors'"
        " AND submission_id IN (" + _IDS + ")",
        [ids_parameter(submission_ids)] * 5,
    )
    return [str(row[0]) for row in rows if row[0]]


async def withdraw_pending(
    conn: aiosqlite.Connection, submission_ids: Collection[int]
) -> list[int]:
    """Pending items settled as withdrawn: rejected, with no moderator's decision."""
    rows = await fetch_all(
        conn,
        "UPDATE submissions SET status = 'rejected' WHERE status = 'pending'"
        f" AND id IN ({_IDS}) RETURNING id",
        (ids_parameter(submission_ids),),
    )
    return sorted(int(row[0]) for row in rows)


async def take_down_published(
    conn: aiosqlite.Connection, submission_ids: Collection[int]
) -> list[int]:
    """Approved comments taken down at their author's request: no longer approved, so no
    view, counter or thread post shows them; who approved them stays."""
    rows = await fetch_all(
        conn,
        "UPDATE submissions SET status = 'rejected' WHERE status = 'approved'"
        f" AND kind = 'comment' AND id IN ({_IDS}) RETURNING id",
        (ids_parameter(submission_ids),),
    )
    return sorted(int(row[0]) for row in rows)


async def published_ids(conn: aiosqlite.Connection, submission_ids: Collection[int]) -> list[int]:
    rows = await fetch_all(
        conn,
        "SELECT id FROM submissions WHERE status = 'approved' AND kind = 'comment'"
        f" AND id IN ({_IDS}) ORDER BY id",
        (ids_parameter(submission_ids),),
    )
    return [int(row[0]) for row in rows]


async def sign_as(conn: aiosqlite.Connection, submission_ids: Collection[int], name: str) -> None:
    """The author asked to be forgotten: their items are signed `name` from now on."""
    await conn.execute(
        f"UPDATE submissions SET author_name = ?, author_forgotten = 1 WHERE id IN ({_IDS})",
        (name, ids_parameter(submission_ids)),
    )


async def erase_words(
    conn: aiosqlite.Connection, submission_ids: Collection[int], now: float
) -> None:
    """The items' words go: text, correction, a contact message's name and email, and what
    was derived from the words (the wave fingerprint, the file's id, the album's id). The
    conversation under a contact message goes with it, editors' answers included (they
    quote and name the reader)."""
    ids = ids_parameter(submission_ids)
    await conn.execute(
        "UPDATE submissions SET text = '', corrected_text = NULL, contact_name = NULL,"
        " contact_email = NULL, wave_print = NULL, file_unique_id = NULL,"
        " media_group_id = NULL, erased_at = COALESCE(erased_at, ?)"
        f" WHERE id IN ({_IDS})",
        (now, ids),
    )
    await conn.execute(
        f"UPDATE contact_replies SET text = '' WHERE submission_id IN ({_IDS})", (ids,)
    )
    # What a card last showed is kept to spare an edit that changes nothing: it held the
    # words. Unknown now, the next refresh edits the card.
    await conn.execute(
        f"UPDATE moderation_cards SET rendered = NULL WHERE submission_id IN ({_IDS})", (ids,)
    )


async def unname_contacts(conn: aiosqlite.Connection, submission_ids: Collection[int]) -> None:
    """Contact messages past retention lose the reader's Telegram name as they wrote (on
    the message and on their answers) with the rest: the card names them by id."""
    ids = ids_parameter(submission_ids)
    await conn.execute(
        f"UPDATE submissions SET author_name = '' WHERE kind = 'contact' AND id IN ({_IDS})",
        (ids,),
    )
    await conn.execute(
        "UPDATE contact_replies SET author_name = '' WHERE direction = 'to_editors'"
        f" AND submission_id IN ({_IDS})",
        (ids,),
    )


async def sign_answers_as(
    conn: aiosqlite.Connection, submission_ids: Collection[int], name: str
) -> None:
    """The reader's own answers in their conversations, signed `name`."""
    await conn.execute(
        "UPDATE contact_replies SET author_name = ? WHERE direction = 'to_editors'"
        f" AND submission_id IN ({_IDS})",
        (name, ids_parameter(submission_ids)),
    )


async def forget_profile(conn: aiosqlite.Connection, user_id: int) -> None:
    """The reader's name, username, language and choices go. The profile row stays (empty)
    while submissions point at it; the reader's next message fills it in as a new reader's."""
    for table in (
        "reader_states",
        "reply_notices",
        "reply_notices_off",
        "thread_notices",
        "cas_answers",
        # When they last asked for a copy of their data (/mydata).
        "data_exports",
    ):
        await conn.execute(f"DELETE FROM {table} WHERE user_id = ?", (user_id,))
    await conn.execute(
        "DELETE FROM readers WHERE user_id = ?"
        " AND NOT EXISTS (SELECT 1 FROM submissions WHERE user_id = readers.user_id)",
        (user_id,),
    )
    await conn.execute(
        "UPDATE readers SET first_name = '', last_name = NULL, username = NULL, language = NULL,"
        " language_code = NULL WHERE user_id = ?",
        (user_id,),
    )


def _emptied(value: Any) -> Any:
    """`value` (decoded JSON) with every string in it emptied."""
    if isinstance(value, str):
        return ""
    if isinstance(value, list):
        return [_emptied(item) for item in value]
    if isinstance(value, dict):
        return {key: _emptied(item) for key, item in value.items()}
    return value


def _without_person(value: Any, user_id: int) -> tuple[Any, bool]:
    """A Telegram update (decoded JSON) with what is the person's emptied: their messages
    (quoted as what a reply answers), their User objects, and the quote of a message of
    theirs; and whether anything was."""
    if isinstance(value, list):
        pairs = [_without_person(item, user_id) for item in value]
        return [item for item, _ in pairs], any(hit for _, hit in pairs)
    if not isinstance(value, dict):
        return value, False
    sender = value.get("from")
    if value.get("id") == user_id and "first_name" in value:
        return _emptied(value), True
    if isinstance(sender, dict) and sender.get("id") == user_id:
        return _emptied(value), True
    result: dict[str, Any] = {}
    changed = False
    for key, item in value.items():
        result[key], hit = _without_person(item, user_id)
        changed = changed or hit
    answered = value.get("reply_to_message")
    if isinstance(answered, dict) and isinstance(result.get("quote"), dict):
        answered_from = answered.get("from")
        if isinstance(answered_from, dict) and answered_from.get("id") == user_id:
            result["quote"] = _emptied(result["quote"])
            changed = True
    return result, changed


# A text kept shortened in a payload (a reply notice keeps 200 characters) counts as the
# reader's when it is the start of one of theirs at least this long: shorter starts (a
# "Hi") are anybody's.
_SHORTEST_PREFIX = 8


def _is_theirs(value: object, needles: Sequence[str]) -> bool:
    if not isinstance(value, str) or not value:
        return False
    return any(
        value == needle or (len(value) >= _SHORTEST_PREFIX and needle.startswith(value))
        for needle in needles
    )


async def scrub_outbox(conn: aiosqlite.Connection, user_id: int, needles: Sequence[str]) -> int:
    """Rows addressed to the reader go (a notice not yet delivered would be about what is
    erased); another row carrying their words or name (a reply notice to someone they
    answered: its `name` and `text`) keeps its row with those emptied. Returns how many
    rows changed."""
    cursor = await conn.execute("DELETE FROM outbox WHERE chat_key = ?", (str(user_id),))
    changed = cursor.rowcount
    rows = await fetch_all(
        conn,
        "SELECT id, payload FROM outbox WHERE json_extract(payload, '$.text') IS NOT NULL"
        " OR json_extract(payload, '$.name') IS NOT NULL",
    )
    for row in rows:
        payload = json.loads(row["payload"])
        theirs = [key for key in ("text", "name") if _is_theirs(payload.get(key), needles)]
        if theirs:
            await conn.execute(
                "UPDATE outbox SET payload = ? WHERE id = ?",
                (json.dumps(payload | dict.fromkeys(theirs, "")), row["id"]),
            )
            changed += 1
    return changed


async def scrub_held_updates(conn: aiosqlite.Connection, user_id: int) -> int:
    """The reader's updates held for another try go (their messages, never acknowledged);
    another person's held update quoting them (a reply carries the message it answers)
    keeps its row with what is the reader's emptied."""
    cursor = await conn.execute("DELETE FROM held_updates WHERE person = ?", (user_id,))
    changed = cursor.rowcount
    for row in await fetch_all(conn, "SELECT update_id, raw FROM held_updates"):
        scrubbed, hit = _without_person(json.loads(row["raw"]), user_id)
        if hit:
            await conn.execute(
                "UPDATE held_updates SET raw = ? WHERE update_id = ?",
                (json.dumps(scrubbed), row["update_id"]),
            )
            changed += 1
    return changed


async def forget_examples(
    conn: aiosqlite.Connection, text_keys: Collection[str], keep_source: str
) -> int:
    """The spam check's examples learned from these texts go (not those of `keep_source`,
    the starter set, which no reader wrote). Returns how many."""
    await spam.keep_last_id(conn)
    cursor = await conn.execute(
        f"DELETE FROM spam_examples WHERE source != ? AND text_key IN ({_IDS})",
        (keep_source, json.dumps(sorted(text_keys))),
    )
    return cursor.rowcount


async def add_forgotten(
    conn: aiosqlite.Connection, user_id: int, published: str, now: float
) -> None:
    await conn.execute(
        "INSERT INTO forgotten_readers (user_id, forgotten_at, published) VALUES (?, ?, ?)"
        " ON CONFLICT (user_id) DO UPDATE SET forgotten_at = excluded.forgotten_at,"
        " published = excluded.published",
        (user_id, now, published),
    )


async def forgotten(conn: aiosqlite.Connection) -> list[tuple[int, str]]:
    """Every reader forgotten, with their choice for their published comments, in order."""
    rows = await fetch_all(
        conn, "SELECT user_id, published FROM forgotten_readers ORDER BY forgotten_at, user_id"
    )
    return [(int(row[0]), str(row[1])) for row in rows]


# Contact messages whose conversation's last message is older than the bound.
CONTACTS_TO_ERASE_SQL = (
    "SELECT s.id FROM submissions s WHERE s.kind = 'contact' AND s.erased_at IS NULL"
    " AND s.created_at < ? AND NOT EXISTS (SELECT 1 FROM contact_replies r"
    " WHERE r.submission_id = s.id AND r.created_at >= ?) ORDER BY s.id LIMIT ?"
)
# Rejected comments decided (or caught) before the bound; a withdrawn one (no decision)
# counts from when it was written.
REJECTED_TO_ERASE_SQL = (
    "SELECT id FROM submissions WHERE kind = 'comment' AND status = 'rejected'"
    " AND erased_at IS NULL AND created_at < ?"
    " AND COALESCE(decided_at, caught_at, created_at) < ? ORDER BY id LIMIT ?"
)


async def contacts_to_erase(conn: aiosqlite.Connection, before: float, limit: int) -> list[int]:
    rows = await fetch_all(conn, CONTACTS_TO_ERASE_SQL, (before, before, limit))
    return [int(row[0]) for row in rows]


async def rejected_to_erase(conn: aiosqlite.Connection, before: float, limit: int) -> list[int]:
    rows = await fetch_all(conn, REJECTED_TO_ERASE_SQL, (before, before, limit))
    return [int(row[0]) for row in rows]
