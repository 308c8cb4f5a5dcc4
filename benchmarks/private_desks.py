"""A backlog worked by three moderators on private desks, against the group desk alone.

    python -m benchmarks.private_desks [--comments 150] [--moderators 3] [--seconds 60]

The bot runs as a process (`python -m bot`, default settings) against the fake Bot API,
which enforces Telegram's limits: 20 sends and edits a minute per group (tdlib/td#2592),
30 a second overall, and here also one a second in each private chat after a burst of
three (Telegram allows short bursts; how short it does not say). N readers who opened an
article comment at once.

Then, for `--seconds` from the first desk shown:
- private: each moderator opens /desk and taps Approve 1.5 s (reading time) after their
  desk shows an item, until it shows none;
- group (the baseline, a fresh bot and backlog): the moderators share the group's review
  desk; one taps Approve 1.5 s after it shows a new item (more hands on one desk add no
  speed: each tap moves the one desk, and its edits share the group's 20 a minute).

It reports the distinct items decided in the time, the ratio between the two, items shown
on two private desks at once (from every send and edit of the desks, with Telegram's
timestamps), items decided twice, taps refused, and every 429 in any chat; and how far the
group's cards had caught up with the private decisions when the time was up.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.intake import burst, start, stop
from benchmarks.moderation_burst import work_the_desk
from sandbox.bot_api import FakeTelegram
from tests.e2e.harness import populate
from tests.e2e.process import ROOT, bot_environment
from tests.factories import ADMIN_ID, CHANNEL_ID, MODERATION_CHAT_ID, MODERATOR_ID

FIRST_READER_ID = 400_000
MORE_MODERATORS = (1_051, 1_052, 1_053, 1_054, 1_055)
READING_TIME = 1.5
# The group's minute is spent by the burst's cards: the edits after it wait for the next.
CATCH_UP_LIMIT = 150.0
_ITEM = re.compile(r"(?:Comment|Contact message) #(\d+)")


@dataclass
class DeskWork:
    decided: dict[int, float] = field(default_factory=dict)
    refused: list[str] = field(default_factory=list)


def shown_item(message: dict[str, Any] | None) -> int | None:
    match = _ITEM.search(str((message or {}).get("text", "")))
    return int(match[1]) if match else None


async def tap_approve(telegram: FakeTelegram, moderator: int, desk: dict[str, Any]) -> str:
    current = telegram.message(moderator, desk["message_id"])
    assert current is not None
    data = next(
        button["callback_data"]
        for row in current["reply_markup"]["inline_keyboard"]
        for button in row
        if button["callback_data"].startswith("pdesk:v1:approve:")
    )
    query_id = telegram.user_presses_button(moderator, moderator, desk["message_id"], data)
    answer = await telegram.wait_for(lambda: telegram.callback_answers.get(query_id))
    return str(answer.get("text") or "")


async def work_private_desk(
    telegram: FakeTelegram, moderator: int, started: float, seconds: float, work: DeskWork
) -> None:
    """Open /desk; tap Approve READING_TIME after each item shows, until none does."""
    telegram.user_sends_text(moderator, "/desk")
    desk = await telegram.wait_for_bot_message(moderator, contains="Your desk", timeout=30)
    deadline = started + seconds
    while True:
        item = shown_item(telegram.message(moderator, desk["message_id"]))
        if item is None:
            return
        await asyncio.sleep(READING_TIME)
        if time.monotonic() >= deadline:
            return
        answer = await tap_approve(telegram, moderator, desk)
        if answer == "Approved.":
            work.decided[item] = work.decided.get(item, 0) + 1
        else:
            work.refused.append(answer)

        def moved(before: int = item) -> bool:
            return shown_item(telegram.message(moderator, desk["message_id"])) != before

        try:
            await telegram.wait_for(moved, timeout=max(0.1, deadline - time.monotonic()))
        except AssertionError:
            return


def shown_twice(telegram: FakeTelegram, moderators: list[int], until: float) -> int:
    """Items on two private desks at once, from the desks' sends and edits (each shows
    its item from the call that put it there to the next one on that desk)."""
    spans: dict[int, list[tuple[float, float, int]]] = defaultdict(list)
    for moderator in moderators:
        calls = [
            c
            for c in telegram.calls
            if c.status == 200
            and c.method in {"sendMessage", "editMessageText"}
            and c.params.get("chat_id") == moderator
        ]
        for call, following in zip(calls, [*calls[1:], None], strict=True):
            item = shown_item({"text": call.params.get("text", "")})
            if item is not None:
                spans[item].append((call.at, following.at if following else until, moderator))
    overlapping = 0
    for item_spans in spans.values():
        if any(
            a[2] != b[2] and a[0] < b[1] and b[0] < a[1]
            for i, a in enumerate(item_spans)
            for b in item_spans[i + 1 :]
        ):
            overlapping += 1
    return overlapping


async def backlog(telegram: FakeTelegram, comments: int) -> None:
    telegram.user_sends_text(ADMIN_ID, "/post https://blog.example/a\nBacklog\nx")
    post = await telegram.wait_for_bot_message(CHANNEL_ID, timeout=60)
    payload = post["reply_markup"]["inline_keyboard"][0][0]["url"].rsplit("=", 1)[1]
    readers = list(range(FIRST_READER_ID, FIRST_READER_ID + comments))
    for reader in readers:
        telegram.add_user(reader, f"Reader {reader}")
    await burst(telegram, readers, f"/start {payload}", "Send your comment")
    total, _ = await burst(telegram, readers, "A comment", "awaits moderation")
    print(f"  {comments} comments acknowledged within {total:.1f} s")


async def one_run(
    mode: str, comments: int, moderators: list[int], seconds: float, workdir: Path
) -> tuple[int, FakeTelegram]:
    await asyncio.to_thread(workdir.mkdir)
    telegram = FakeTelegram()
    await telegram.start()
    populate(telegram, with_discussion=False)
    for extra in moderators[1:]:
        telegram.add_user(extra, f"Moderator {extra}")
        telegram.set_member_status(MODERATION_CHAT_ID, extra, "member")
    telegram.group_rate_limit_per_minute = 20
    telegram.overall_rate_limit_per_second = 30
    env = bot_environment(telegram, workdir, with_discussion=False, log_level="WARNING")
    env["PYTHONPATH"] = str(ROOT)
    process, _ = await start([sys.executable, "-m", "bot"], env, workdir / "bot.log", telegram)
    try:
        await backlog(telegram, comments)
        # The moderators' own chats, from here on: one message a second in each.
        telegram.private_rate_limit_per_second = 1
        started = time.monotonic()
        if mode == "group":
            desk = await telegram.wait_for_bot_message(
                MODERATION_CHAT_ID, contains="Review desk", timeout=120
            )
            decided = len(await work_the_desk(telegram, desk, started, seconds / 60))
            print(f"  group desk alone: {decided} items decided in {seconds:.0f} s")
            return decided, telegram
        work = DeskWork()
        await asyncio.gather(
            *(work_private_desk(telegram, m, started, seconds, work) for m in moderators)
        )
        until = telegram.calls[-1].at
        twice = sum(1 for count in work.decided.values() if count > 1)
        print(
            f"  {len(moderators)} private desks: {len(work.decided)} distinct items decided in"
            f" {seconds:.0f} s; decided twice: {twice}; taps refused: {len(work.refused)}"
            f" {sorted(set(work.refused))}"
        )
        print(f"  items shown on two desks at once: {shown_twice(telegram, moderators, until)}")
        await cards_catch_up(telegram, work)
        return len(work.decided), telegram
    finally:
        await stop(process)
        await telegram.stop()


async def cards_catch_up(telegram: FakeTelegram, work: DeskWork) -> None:
    """The group's cards of items decided on desks show their decisions, within the
    group's budget: how many did when time was up, and how long the rest took."""

    def behind() -> list[dict[str, Any]]:
        return [
            m
            for m in telegram.bot_messages_in(MODERATION_CHAT_ID)
            if shown_item(m) in work.decided and m.get("reply_markup")
        ]

    decided_cards = sum(
        1 for m in telegram.bot_messages_in(MODERATION_CHAT_ID) if shown_item(m) in work.decided
    )
    print(f"  group cards of items decided on desks: {decided_cards}, {len(behind())} behind")
    waited = time.monotonic()
    try:
        await telegram.wait_for(lambda: not behind(), timeout=CATCH_UP_LIMIT)
        print(f"  all caught up {time.monotonic() - waited:.0f} s later")
    except AssertionError:
        print(f"  {len(behind())} still behind after {CATCH_UP_LIMIT:.0f} s")


def too_many(telegram: FakeTelegram) -> int:
    refused = [c for c in telegram.calls if c.status == 429]
    for call in refused:
        print(f"  429: {call.method} to {call.params.get('chat_id')}")
    return len(refused)


async def main(comments: int, moderators_count: int, seconds: float) -> None:
    print(
        f"{os.cpu_count()} cores; Telegram's limits enforced: 20/min per group, 30/s overall,"
        " 1/s per private chat after a burst of 3"
    )
    moderators = [MODERATOR_ID, *MORE_MODERATORS[: moderators_count - 1]]
    with tempfile.TemporaryDirectory(prefix="private-desks-") as tmp:
        print("baseline: the group's review desk")
        baseline, group_telegram = await one_run(
            "group", comments, moderators, seconds, Path(tmp) / "group"
        )
        print("private desks")
        private, private_telegram = await one_run(
            "private", comments, moderators, seconds, Path(tmp) / "private"
        )
    print(f"private desks / group desk: {private / max(1, baseline):.1f}x items decided")
    errors = too_many(group_telegram) + too_many(private_telegram)
    print(f"429s in any chat: {errors}")
    if errors:
        raise SystemExit("FAIL: a chat met Telegram's limit")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--comments", type=int, default=150)
    parser.add_argument("--moderators", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=60.0)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.comments, arguments.moderators, arguments.seconds))
