"""A spam wave under a post, end to end under Telegram's limits (run by benchmarks.spam).

The bot runs as a process (`python -m bot`) against the fake Bot API, which enforces 30
calls a second overall and 20 sends and edits a minute in each group, and counts every
429. An article is posted to a channel with a discussion group. Within 10 seconds, 30 new
accounts type 3 spam messages each under the post (benchmarks.wave_texts: six kinds, in
English, Spanish and Russian, each copy lightly changed) and 12 readers type a genuine
comment each (English and Spanish), all at random moments. An account the bot has banned
from the group cannot write there any more (Telegram refuses it), so its later messages
never arrive.

One moderator works what the moderation group shows, as a person would: the review desk
when the bot has posted one and it shows an item, else the oldest card of an item they
have not decided (also while the desk has not moved on 3 s after a tap); 1.5 s of
reading, then ✅ Approve (or Keep) on a genuine comment and 🧹 Spam on spam. A
card is not tapped twice; a copy settled by a 🧹 on another still shows its buttons until
the bot edits it, and a tap on it is counted as spent all the same. The run ends when
every genuine comment is published (pre) or kept (post) and nothing undecided has been
shown for 2 s, or `window` seconds after the wave began.

Measured: spam removed with no moderator (caught by the check, refused by flood control,
or its author already banned by the bot), spam left in the thread at the end, genuine
comments removed, for each genuine comment the seconds until a card or the desk shows it
and until it is published in the thread, 429s, and taps spent on spam.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import random
import re
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiosqlite

from benchmarks.intake import OVERALL_PER_SECOND, start, stop
from benchmarks.wave_texts import GENUINE, spam_messages
from bot.services.verdicts import Decision
from sandbox.bot_api import FakeTelegram
from tests.e2e.harness import populate
from tests.e2e.process import ROOT, bot_environment
from tests.e2e.steps import press, press_desk, thread_of
from tests.factories import (
    ADMIN_ID,
    CHANNEL_ID,
    DISCUSSION_CHAT_ID,
    MODERATION_CHAT_ID,
    MODERATOR_ID,
)

ACCOUNTS = 30
PER_ACCOUNT = 3
WAVE_SECONDS = 10.0
READING_TIME = 1.5
QUIET_BEFORE_DONE = 2.0
# How long the moderator waits for the desk to show its next item before turning to the
# cards (a person does not stare at a desk that does not move).
DESK_PATIENCE = 3.0
FIRST_SPAMMER_ID = 700_000
FIRST_READER_ID = 800_000
# A genuine comment is recognised on a card, the desk or in the thread by its beginning.
_MARK = 40
_ITEM = re.compile(r"Comment #(\d+)")


@dataclass
class Typed:
    author: int
    text: str
    genuine: bool
    at: float = 0.0
    # The same moment by the wall clock, as the bot dates its bans.
    wall: float = 0.0
    # None: Telegram refused it, its author being banned from the group by then.
    message_id: int | None = None


@dataclass
class Moderator:
    spam_taps: int = 0
    genuine_taps: int = 0
    # Taps answered "already decided": a wave copy settled by an earlier 🧹.
    wasted: int = 0
    decided_items: set[int] = field(default_factory=set)
    # The desk's text when it last did not move after a tap: the cards meanwhile.
    stuck_desk: str | None = None


@dataclass(frozen=True)
class WaveResult:
    mode: str
    spam_filter: str
    seconds: float
    spam_typed: int
    spam_refused_by_telegram: int
    spam_removed_unaided: int
    spam_shown: int
    spam_left_public: int
    spam_left_pending: int
    genuine_removed: int
    shown_after: list[float | None]
    published_after: list[float | None]
    moderator: Moderator
    too_many_requests: int


def schedule(seed: int) -> list[Typed]:
    """Every message of the wave with the moment it is typed, in order."""
    rng = random.Random(seed)
    typed = [
        Typed(FIRST_SPAMMER_ID + account, text, genuine=False, at=rng.uniform(0, WAVE_SECONDS))
        for account, texts in enumerate(spam_messages(ACCOUNTS, PER_ACCOUNT, seed))
        for text in texts
    ]
    typed += [
        Typed(FIRST_READER_ID + n, text, genuine=True, at=rng.uniform(0, WAVE_SECONDS))
        for n, text in enumerate(GENUINE)
    ]
    # An account's messages keep their order: each is a later copy.
    return sorted(typed, key=lambda t: t.at)


async def type_wave(telegram: FakeTelegram, wave: list[Typed], under: int, began: float) -> None:
    for message in wave:
        await asyncio.sleep(max(0.0, began + message.at - time.monotonic()))
        message.at, message.wall = time.monotonic(), time.time()
        try:
            sent = telegram.user_sends_text(
                message.author, message.text, chat_id=DISCUSSION_CHAT_ID, reply_to_message_id=under
            )
        except ValueError:
            continue
        message.message_id = int(sent["message_id"])


def is_genuine(text: str) -> bool:
    return any(g[:_MARK] in text for g in GENUINE)


def item_of(message: dict[str, Any]) -> int | None:
    match = _ITEM.search(str(message.get("text", "")))
    return int(match[1]) if match else None


def has_buttons(message: dict[str, Any], prefix: str) -> bool:
    return any(
        str(button.get("callback_data", "")).startswith(prefix)
        for row in message.get("reply_markup", {}).get("inline_keyboard", [])
        for button in row
    )


def shown_to_moderator(telegram: FakeTelegram, work: Moderator) -> dict[str, Any] | None:
    """What the moderator looks at next: the desk if it shows an item, else the oldest
    card of an item they have not decided."""
    messages = telegram.bot_messages_in(MODERATION_CHAT_ID)
    desks = [m for m in messages if "Review desk" in m.get("text", "")]
    if (
        desks
        and has_buttons(desks[-1], "desk:v1:approve:")
        and desks[-1].get("text") != work.stuck_desk
    ):
        return desks[-1]
    cards = [
        m for m in messages if has_buttons(m, "mod:v1:") and item_of(m) not in work.decided_items
    ]
    return cards[0] if cards else None


async def decide(telegram: FakeTelegram, shown: dict[str, Any], work: Moderator) -> str:
    """Reads what is shown, taps; returns the bot's answer to the tap ("" if the desk had
    moved on meanwhile). A desk that does not move on within DESK_PATIENCE is left for the
    cards until it does."""
    await asyncio.sleep(READING_TIME)
    current = telegram.message(MODERATION_CHAT_ID, shown["message_id"]) or shown
    genuine = is_genuine(current.get("text", ""))
    if "Review desk" not in current.get("text", ""):
        decision = Decision.APPROVE if genuine else Decision.SPAM
        return str((await press(telegram, MODERATOR_ID, current, decision)).get("text", ""))
    if not has_buttons(current, "desk:v1:approve:"):
        return ""
    before = str(current.get("text", ""))
    answer = await press_desk(telegram, current, "approve" if genuine else "spam")

    def moved() -> bool:
        now: dict[str, Any] = telegram.message(MODERATION_CHAT_ID, current["message_id"]) or {}
        return str(now.get("text", "")) != before

    # The desk's next item comes with its edit, which may wait for the group's minute.
    try:
        await telegram.wait_for(moved, timeout=DESK_PATIENCE)
    except AssertionError:
        work.stuck_desk = before
    return str(answer.get("text", ""))


async def moderate(
    telegram: FakeTelegram, work: Moderator, deadline: float, done: asyncio.Event
) -> None:
    """One moderator at the desk or the cards until `done` and idle, or the deadline."""
    idle_since = time.monotonic()
    while (now := time.monotonic()) < deadline:
        shown = shown_to_moderator(telegram, work)
        if shown is None:
            if done.is_set() and now - idle_since >= QUIET_BEFORE_DONE:
                return
            await asyncio.sleep(0.1)
            continue
        genuine = is_genuine(shown.get("text", ""))
        item = item_of(shown)
        answer = await decide(telegram, shown, work)
        if not answer:
            continue
        if item is not None:
            work.decided_items.add(item)
        if genuine:
            work.genuine_taps += 1
        else:
            work.spam_taps += 1
        if "already" in answer:
            work.wasted += 1
        idle_since = time.monotonic()


async def run(mode: str, spam_filter: str, window: float, seed: int, workdir: Path) -> WaveResult:
    """One wave in a fresh bot: THREAD_MODERATION=`mode`, SPAM_FILTER=`spam_filter`."""
    telegram = FakeTelegram()
    await telegram.start()
    try:
        populate(telegram, with_discussion=True)
        telegram.group_rate_limit_per_minute = 20
        telegram.overall_rate_limit_per_second = OVERALL_PER_SECOND
        wave = schedule(seed)
        for person in sorted({m.author for m in wave}):
            telegram.add_user(person, f"Person {person}")
        env = bot_environment(
            telegram,
            workdir,
            with_discussion=True,
            log_level="WARNING",
            extra={"THREAD_MODERATION": mode, "SPAM_FILTER": spam_filter},
        )
        env["PYTHONPATH"] = str(ROOT)
        process, _ = await start([sys.executable, "-m", "bot"], env, workdir / "bot.log", telegram)
        try:
            telegram.user_sends_text(ADMIN_ID, "/post https://blog.example/mx-us\nMexico\nx")
            post = await telegram.wait_for_bot_message(CHANNEL_ID, timeout=60)
            under = (await thread_of(telegram, post))["message_id"]
            began = time.monotonic()
            work, done = Moderator(), asyncio.Event()
            moderator = asyncio.create_task(moderate(telegram, work, began + window, done))
            await type_wave(telegram, wave, under, began)
            genuine = [m for m in wave if m.genuine]
            with contextlib.suppress(AssertionError):
                await telegram.wait_for(
                    lambda: all(published_at(telegram, m, mode) for m in genuine),
                    timeout=max(0.1, began + window - time.monotonic()),
                )
            done.set()
            await moderator
            seconds = time.monotonic() - began
        finally:
            await stop(process)
        return await measure(telegram, wave, work, mode, spam_filter, seconds, workdir)
    finally:
        await telegram.stop()


def _calls_showing(telegram: FakeTelegram, chat_id: int, text: str, methods: set[str]) -> float:
    """When a call of the bot's first put `text` in the chat (0.0: never)."""
    escaped = html.escape(text, quote=False)
    for call in telegram.calls:
        if (
            call.status == 200
            and call.method in methods
            and str(call.params.get("chat_id")) == str(chat_id)
            and escaped in str(call.params.get("text", ""))
        ):
            return call.at
    return 0.0


def shown_at(telegram: FakeTelegram, message: Typed) -> float:
    """When a card or the desk first showed the message (0.0: never)."""
    return _calls_showing(
        telegram, MODERATION_CHAT_ID, message.text, {"sendMessage", "editMessageText"}
    )


def published_at(telegram: FakeTelegram, message: Typed, mode: str) -> float:
    """When the message was public in the thread to stay: with `pre`, when the bot
    published it; with `post`, from the moment it was typed if it is still up."""
    if message.message_id is None:
        return 0.0
    if mode == "post":
        up = telegram.message(DISCUSSION_CHAT_ID, message.message_id) is not None
        return message.at if up else 0.0
    return _calls_showing(telegram, DISCUSSION_CHAT_ID, message.text, {"sendMessage"})


async def stored(
    workdir: Path,
) -> tuple[dict[int, tuple[str, bool, bool]], dict[int, tuple[int, float]]]:
    """From the bot's file: each thread message's submission (status, caught by the check,
    decided by a moderator), and who banned each banned account, and when."""
    async with aiosqlite.connect(workdir / "db" / "bot.sqlite3") as conn:
        async with conn.execute(
            "SELECT thread_source_message_id, status, caught_at IS NOT NULL,"
            " decided_by IS NOT NULL FROM submissions WHERE thread_source_chat_id = ?",
            (DISCUSSION_CHAT_ID,),
        ) as cursor:
            submissions = {
                int(row[0]): (str(row[1]), bool(row[2]), bool(row[3]))
                for row in await cursor.fetchall()
            }
        async with conn.execute("SELECT user_id, banned_by, banned_at FROM bans") as cursor:
            bans = {int(row[0]): (int(row[1]), float(row[2])) for row in await cursor.fetchall()}
    return submissions, bans


async def measure(
    telegram: FakeTelegram,
    wave: list[Typed],
    work: Moderator,
    mode: str,
    spam_filter: str,
    seconds: float,
    workdir: Path,
) -> WaveResult:
    submissions, bans = await stored(workdir)
    spam = [m for m in wave if not m.genuine]
    genuine = [m for m in wave if m.genuine]
    refused = [m for m in spam if m.message_id is None]
    unaided = 0
    for message in spam:
        if message.message_id is None or message.message_id not in submissions:
            # Refused by Telegram or by the bot (flood control, its author banned): the
            # moderator's doing only if they had banned its author by then.
            by, at = bans.get(message.author, (None, 0.0))
            unaided += not (by == MODERATOR_ID and at <= message.wall)
        else:
            unaided += submissions[message.message_id][1]
    public = [
        m
        for m in spam
        if m.message_id is not None
        and telegram.message(DISCUSSION_CHAT_ID, m.message_id) is not None
    ]
    pending = [
        m
        for m in spam
        if m.message_id is not None and submissions.get(m.message_id, ("",))[0] == "pending"
    ]
    removed = [
        m
        for m in genuine
        if m.message_id is None or submissions.get(m.message_id, ("rejected",))[0] == "rejected"
    ]
    shown = [shown_at(telegram, m) for m in genuine]
    published = [published_at(telegram, m, mode) for m in genuine]
    return WaveResult(
        mode,
        spam_filter,
        seconds,
        len(spam),
        len(refused),
        unaided,
        sum(1 for m in spam if shown_at(telegram, m)),
        len(public),
        len(pending),
        len(removed),
        [at - m.at if at else None for m, at in zip(genuine, shown, strict=True)],
        [at - m.at if at else None for m, at in zip(genuine, published, strict=True)],
        work,
        sum(1 for call in telegram.calls if call.status == 429),
    )


def _seconds(values: list[float | None], limit: float) -> str:
    known = [v for v in values if v is not None]
    within = sum(1 for v in known if v <= limit)
    if not known:
        return f"none of {len(values)}"
    return (
        f"{within} of {len(values)} within {limit:.0f} s (median {statistics.median(known):.1f} s,"
        f" max {max(known):.1f} s{'' if len(known) == len(values) else ', the rest never'})"
    )


def describe(result: WaveResult) -> dict[str, object]:
    return {
        "seconds run": round(result.seconds, 1),
        "spam removed with no moderator": (
            f"{result.spam_removed_unaided} of {result.spam_typed}"
            f" ({result.spam_removed_unaided / result.spam_typed:.0%});"
            f" {result.spam_refused_by_telegram} of them never sent (author banned)"
        ),
        "spam put before the moderator": result.spam_shown,
        "spam left in the thread at the end": result.spam_left_public,
        "spam still waiting at the end": result.spam_left_pending,
        "genuine comments removed": result.genuine_removed,
        "genuine comment on a card or the desk": _seconds(result.shown_after, 10),
        "genuine comment published": _seconds(result.published_after, 60),
        "moderator's taps on spam (answered 'already decided')": (
            f"{result.moderator.spam_taps} ({result.moderator.wasted})"
        ),
        "moderator's taps on genuine comments": result.moderator.genuine_taps,
        "429s": result.too_many_requests,
    }


def targets(result: WaveResult) -> dict[str, str]:
    """The issue's targets for a wave, each met or missed."""
    share = 0.9 * result.spam_typed
    checks = {
        "spam removed with no moderator's doing >= 90%": result.spam_removed_unaided >= share,
        "spam never put before the moderator >= 90%": (
            result.spam_typed - result.spam_shown >= share
        ),
        "no spam left in the thread": result.spam_left_public == 0,
        "no genuine comment removed": result.genuine_removed == 0,
        "every genuine comment shown within 10 s": all(
            v is not None and v <= 10 for v in result.shown_after
        ),
        "every genuine comment published within 60 s": all(
            v is not None and v <= 60 for v in result.published_after
        ),
        "no 429": result.too_many_requests == 0,
    }
    return {target: "met" if ok else "MISSED" for target, ok in checks.items()}


async def main(window: float, seed: int, *, post_mode: bool) -> dict[str, object]:
    """The wave with the check on (pre, and post if asked), and the baseline with it off,
    each in a fresh bot."""
    runs = [("pre", "on"), ("pre", "off")] + ([("post", "on")] if post_mode else [])
    results = []
    for mode, spam_filter in runs:
        with tempfile.TemporaryDirectory(prefix=f"spam-wave-{mode}-{spam_filter}-") as tmp:
            results.append(await run(mode, spam_filter, window, seed, Path(tmp)))
    report: dict[str, object] = {
        f"THREAD_MODERATION={r.mode}, SPAM_FILTER={r.spam_filter}": describe(r) for r in results
    }
    on, off = results[0], results[1]

    def published(result: WaveResult) -> int:
        return sum(1 for v in result.published_after if v is not None and v <= 60)

    report["check on / off (pre)"] = {
        "spam put before the moderator": f"{on.spam_shown} / {off.spam_shown}",
        "moderator's taps on spam": f"{on.moderator.spam_taps} / {off.moderator.spam_taps}",
        "genuine published within 60 s": f"{published(on)} / {published(off)}",
    }
    report["targets (pre, check on)"] = targets(on)
    return report
