"""What a group's row does with the places left in its minute: a table of cases; and
notices in threads and the spam digest go after the chat's other rows."""

from __future__ import annotations

import time

import pytest

from bot.delivery.group_minute import (
    CARD_RESERVE,
    DIGEST_RESERVE,
    HANDLER_RESERVE,
    NOTICE_RESERVE,
    Turn,
    plan_group,
    turn_of,
)
from bot.services.effects import Effect
from bot.telegram_budget import TelegramBudget
from storage.db import Database
from storage.models import OutboxItem

CASES = [
    # action, free places left in the minute, what the row does
    (Effect.SEND_CARD, 20, Turn.SEND),
    (Effect.SEND_CARD, CARD_RESERVE + 1, Turn.SEND),
    # Past what the minute can carry, a card folds into the review desk.
    (Effect.SEND_CARD, CARD_RESERVE, Turn.FOLD_CARDS),
    (Effect.SEND_CARD, 0, Turn.FOLD_CARDS),
    # Other sends and edits go down to the place kept for handlers' replies.
    (Effect.SHOW_DESK, HANDLER_RESERVE + 1, Turn.SEND),
    (Effect.SHOW_DESK, HANDLER_RESERVE, Turn.WAIT),
    (Effect.REFRESH_CARDS, 0, Turn.WAIT),
    # A handler's reply may take that last place, and no more.
    (Effect.GROUP_REPLY, HANDLER_RESERVE, Turn.SEND),
    (Effect.GROUP_REPLY, 0, Turn.WAIT),
    # The hourly spam digest waits while the minute is as short as when cards fold.
    (Effect.SPAM_DIGEST, DIGEST_RESERVE + 1, Turn.SEND),
    (Effect.SPAM_DIGEST, DIGEST_RESERVE, Turn.WAIT),
    # A notice in a thread leaves most of the minute to the comments being published.
    (Effect.THREAD_NOTICE, NOTICE_RESERVE + 1, Turn.SEND),
    (Effect.THREAD_NOTICE, NOTICE_RESERVE, Turn.WAIT),
    (Effect.THREAD_POST, NOTICE_RESERVE, Turn.SEND),
]


@pytest.mark.parametrize(("action", "free", "expected"), CASES)
def test_turn_of(action: Effect, free: int, expected: Turn) -> None:
    assert turn_of(action, free) is expected


@pytest.mark.parametrize("used", [0, 20 - CARD_RESERVE])
async def test_the_spam_digest_goes_after_the_chats_other_rows(db: Database, used: int) -> None:
    """With the minute free or short: cards and handlers' replies go before it (and when
    it waits for room, no row after it waits with it)."""
    chat = "-100"
    budget = TelegramBudget(30, 20)
    budget.restore([(chat, time.time())] * used)
    rows = [
        OutboxItem(1, Effect.SPAM_DIGEST, chat, {"count": 3}, 0),
        OutboxItem(2, Effect.SEND_CARD, chat, {}, 0),
        OutboxItem(3, Effect.GROUP_REPLY, chat, {}, 0),
    ]
    planned = await plan_group(db, budget, chat, rows, cards_busy=False)
    assert [row.id for row in planned] == [3, 2, 1]


@pytest.mark.parametrize("used", [0, 20 - NOTICE_RESERVE])
async def test_notices_in_a_thread_go_after_the_comments_published_there(
    db: Database, used: int
) -> None:
    """A spam wave's notices ("your comment waits for a moderator") queued before an
    approved comment's publication: the publication goes first, so that when the notices
    wait for room it does not wait with them."""
    chat = "-300"
    budget = TelegramBudget(30, 20)
    budget.restore([(chat, time.time())] * used)
    rows = [
        OutboxItem(1, Effect.THREAD_NOTICE, chat, {"held": True}, 0),
        OutboxItem(2, Effect.THREAD_NOTICE, chat, {"held": True}, 0),
        OutboxItem(3, Effect.THREAD_POST, chat, {}, 0),
        OutboxItem(4, Effect.DELETE_GROUP_MESSAGE, chat, {}, 0),
    ]
    planned = await plan_group(db, budget, chat, rows, cards_busy=False)
    assert [row.id for row in planned] == [4, 3, 1, 2]
