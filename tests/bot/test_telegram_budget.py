"""The one budget every call to Telegram passes: overall pacing and each group's minute."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.telegram_budget import CALLS_IN_FLIGHT, TelegramBudget, counts_as_message, is_group

GROUP = -100


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def call(budget: TelegramBudget, endpoint: str, chat: object) -> None:
    async def callback() -> bool:
        return True

    data: dict[str, Any] = {"chat_id": chat}
    assert await budget.process_request(callback, (), {}, endpoint, data, None) is True


async def test_sends_and_edits_share_a_groups_minute_and_people_have_none() -> None:
    """20 sends and edits fill a group's minute; a private chat and another group are free."""
    clock = Clock()
    budget = TelegramBudget(per_second=0, group_per_minute=20, clock=clock)
    for number in range(20):
        await call(budget, "sendMessage" if number % 2 else "editMessageText", GROUP)
        clock.now += 1
    assert budget.free_places(GROUP) == 0
    assert budget.next_place(GROUP) == 1060.0
    # More than one place free once the two oldest calls (at 1000 and 1001) have left it.
    assert budget.next_place(GROUP, keep=1) == 1061.0
    assert budget.free_places(-200) == 20
    assert budget.free_places(42) == 20
    # Answers to presses and membership checks are not messages.
    await call(budget, "answerCallbackQuery", GROUP)
    await call(budget, "getChatMember", GROUP)
    assert budget.free_places(GROUP) == 0
    clock.now = 1060.5
    assert budget.free_places(GROUP) == 1


async def test_a_call_into_a_full_minute_waits_for_the_next_place() -> None:
    """A handler's reply that finds the minute spent goes when the oldest call leaves it."""
    budget = TelegramBudget(per_second=0, group_per_minute=1)
    await call(budget, "sendMessage", GROUP)
    waiting = asyncio.ensure_future(call(budget, "sendMessage", GROUP))
    await asyncio.sleep(0.05)
    assert not waiting.done()
    waiting.cancel()


async def test_replies_waiting_for_a_full_group_hold_up_no_other_chat() -> None:
    """More replies wait for a group's next minute than calls may be in flight: a message
    to a reader still goes at once."""
    budget = TelegramBudget(per_second=0, group_per_minute=1)
    await call(budget, "sendMessage", GROUP)
    waiting = [
        asyncio.ensure_future(call(budget, "sendMessage", GROUP))
        for _ in range(CALLS_IN_FLIGHT + 1)
    ]
    await asyncio.wait_for(call(budget, "sendMessage", 42), timeout=1)
    assert not any(task.done() for task in waiting)
    for task in waiting:
        task.cancel()


async def test_a_private_chat_with_an_edit_takes_about_a_message_a_second() -> None:
    """Messages to a reader go as they come (a burst Telegram allows); once the bot edits
    a message in a private chat (a moderator's desk), its calls are a second apart."""
    budget = TelegramBudget(per_second=0, group_per_minute=20)
    for _ in range(3):
        await asyncio.wait_for(call(budget, "sendMessage", 43), timeout=0.5)
    await call(budget, "editMessageText", 42)
    waiting = asyncio.ensure_future(call(budget, "sendMessage", 42))
    await asyncio.wait_for(call(budget, "sendMessage", 43), timeout=0.5)
    await asyncio.wait_for(call(budget, "answerCallbackQuery", 42), timeout=0.5)
    assert not waiting.done()
    await asyncio.wait_for(waiting, timeout=2)


async def test_a_restart_remembers_the_last_minute_of_group_calls() -> None:
    clock = Clock()
    budget = TelegramBudget(per_second=0, group_per_minute=20, clock=clock)
    budget.restore([(str(GROUP), 950.0), (str(GROUP), 990.0), ("42", 995.0), ("@blog", 999.0)])
    assert budget.free_places(GROUP) == 18
    assert budget.free_places("@blog") == 19
    assert budget.next_place(GROUP) == clock.now
    assert budget.next_place(GROUP, keep=17) == clock.now
    assert budget.next_place(GROUP, keep=18) == 1010.0
    # Asking for more places than a minute has means all of them.
    assert budget.next_place(GROUP, keep=25) == 1050.0


async def test_a_group_call_is_dated_when_it_leaves_not_when_its_place_was_taken() -> None:
    """A group call that waits behind calls in flight counts from when it goes to
    Telegram, which counts it from then."""
    clock = Clock()
    budget = TelegramBudget(per_second=0, group_per_minute=20, clock=clock)
    release = asyncio.Event()

    async def slow() -> bool:
        await release.wait()
        return True

    # Each to a person of their own: one private chat takes a message a second.
    busy = [
        asyncio.ensure_future(
            budget.process_request(slow, (), {}, "sendMessage", {"chat_id": 42 + n}, None)
        )
        for n in range(CALLS_IN_FLIGHT)
    ]
    await asyncio.sleep(0)
    waiting = asyncio.ensure_future(call(budget, "sendMessage", GROUP))
    await asyncio.sleep(0.01)
    clock.now += 30
    release.set()
    await asyncio.gather(waiting, *busy)
    # Taken at 1000, sent at 1030: the place frees at 1090.
    assert budget.free_places(GROUP) == 19
    clock.now = 1065
    assert budget.free_places(GROUP) == 19
    assert budget.next_place(GROUP, keep=19) == 1090.0


async def test_the_bot_as_a_whole_is_paced_evenly() -> None:
    """At 50 a second, five calls at once leave a fiftieth of a second apart."""
    budget = TelegramBudget(per_second=50, group_per_minute=20)
    loop = asyncio.get_running_loop()
    times: list[float] = []

    async def timed(person: int) -> None:
        await call(budget, "sendMessage", person)
        times.append(loop.time())

    await asyncio.gather(*(timed(42 + n) for n in range(5)))
    assert times[-1] - times[0] == pytest.approx(4 / 50, abs=0.03)


def test_what_counts_and_who_is_a_group() -> None:
    assert counts_as_message("sendMessage") and counts_as_message("editMessageReplyMarkup")
    assert counts_as_message("copyMessage")
    assert not counts_as_message("answerCallbackQuery")
    assert not counts_as_message("deleteMessage")
    assert is_group(-100) and is_group("@blog") and not is_group(42)
