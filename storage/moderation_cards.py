"""The moderation cards: which message in a moderation chat (a card, or a continuation of
a long text) shows which submission, and the text each card was last rendered with."""

from __future__ import annotations

import aiosqlite

from storage.db import fetch_all, fetch_one
from storage.models import CardMessage


async def add_card(
    conn: aiosqlite.Connection,
    submission_id: int,
    chat_id: int,
    message_id: int,
    *,
    continuation: bool = False,
    rendered: str | None = None,
) -> None:
    await conn.execute(
        "INSERT OR IGNORE INTO moderation_cards"
        " (chat_id, message_id, submission_id, role, rendered) VALUES (?, ?, ?, ?, ?)",
        (
            chat_id,
            message_id,
            submission_id,
            "continuation" if continuation else "card",
            rendered,
        ),
    )


async def cards_of(conn: aiosqlite.Connection, submission_id: int) -> list[tuple[int, int]]:
    """The card messages of a submission (not their continuations), oldest first."""
    return [(card.chat_id, card.message_id) for card in await card_states(conn, submission_id)]


async def card_states(conn: aiosqlite.Connection, submission_id: int) -> list[CardMessage]:
    rows = await fetch_all(
        conn,
        "SELECT chat_id, message_id, rendered FROM moderation_cards WHERE submission_id = ?"
        " AND role = 'card' ORDER BY message_id",
        (submission_id,),
    )
    return [CardMessage(row["chat_id"], row["message_id"], row["rendered"]) for row in rows]


async def set_card_rendered(
    conn: aiosqlite.Connection, chat_id: int, message_id: int, rendered: str
) -> None:
    await conn.execute(
        "UPDATE moderation_cards SET rendered = ? WHERE chat_id = ? AND message_id = ?",
        (rendered, chat_id, message_id),
    )


async def forget_card(conn: aiosqlite.Connection, chat_id: int, message_id: int) -> None:
    await conn.execute(
        "DELETE FROM moderation_cards WHERE chat_id = ? AND message_id = ?", (chat_id, message_id)
    )


async def forget_cards_in(conn: aiosqlite.Connection, chat_id: int) -> None:
    """The cards of a chat the bot can no longer reach (a group Telegram moved)."""
    await conn.execute("DELETE FROM moderation_cards WHERE chat_id = ?", (chat_id,))


async def submission_of_card(
    conn: aiosqlite.Connection, chat_id: int, message_id: int
) -> int | None:
    """Which submission a message in the moderation chat (card or continuation) shows."""
    row = await fetch_one(
        conn,
        "SELECT submission_id FROM moderation_cards WHERE chat_id = ? AND message_id = ?",
        (chat_id, message_id),
    )
    return int(row[0]) if row else None
