"""/stats in the moderation group and /status in an admin's private chat, end to end."""

from __future__ import annotations

import asyncio
import re
import time

import aiosqlite

import bot as bot_package
from bot.services.verdicts import Decision
from bot.settings import Settings
from sandbox.bot_api import FakeTelegram
from tests.e2e.harness import OUTSIDER_ID, READER_IDS, RunningBot, running_bot
from tests.e2e.steps import comment, fill_form, post_article, press, start_payload
from tests.factories import (
    ADMIN_ID,
    CHANNEL_ID,
    DISCUSSION_CHAT_ID,
    MODERATION_CHAT_ID,
    MODERATOR_ID,
)


async def wait_for_outbox_error(settings: Settings, action: str) -> str:
    """The error the worker recorded on an `action` row (it notes the error in memory
    first): SQLite sends no events, so look again every 20 ms, for 5 s."""
    deadline = time.monotonic() + 5.0
    while True:
        async with (
            aiosqlite.connect(settings.database_path) as conn,
            conn.execute(
                "SELECT last_error FROM outbox WHERE action = ? AND last_error IS NOT NULL",
                (action,),
            ) as cursor,
        ):
            row = await cursor.fetchone()
        if row is not None:
            return str(row[0])
        if time.monotonic() > deadline:
            raise AssertionError(f"no {action} row met an error")
        await asyncio.sleep(0.02)


async def test_stats_count_what_moderators_decided_and_what_waits(
    telegram: FakeTelegram, bot: RunningBot
) -> None:
    """Two moderators decide three cards; /stats shows what waits by kind, the decisions
    of the day and week, a median, and each moderator's approvals, rejections and bans."""
    _, post = await post_article(telegram)
    first = await comment(telegram, READER_IDS[0], post, "Approve me")
    second = await comment(telegram, READER_IDS[1], post, "Reject me")
    third = await comment(telegram, READER_IDS[2], post, "Ban me")
    await comment(telegram, OUTSIDER_ID, post, "Still waiting")
    await fill_form(telegram, READER_IDS[0], "Ada", "ada@example.com", "A tip")
    await press(telegram, MODERATOR_ID, first, Decision.APPROVE)
    await press(telegram, MODERATOR_ID, second, Decision.REJECT)
    # Admins moderate too, without being members of the group.
    await press(telegram, ADMIN_ID, third, Decision.BAN)

    telegram.user_sends_text(MODERATOR_ID, "/stats", chat_id=MODERATION_CHAT_ID)
    stats = (await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="Moderation stats"))[
        "text"
    ]
    assert "Waiting now: 2 (1 comment, 1 contact message)" in stats
    assert re.search(r"Oldest: comment #4, waiting for \d+ s", stats), stats
    assert "Decided: 3 in the last 24 hours, 3 in the last 7 days" in stats
    assert "trusted-author rule" not in stats
    assert re.search(r"Median time to a decision \(last 7 days\): \d+ s", stats), stats
    # The busiest moderator first.
    assert stats.endswith("Mo Derator: ✅ 1 · ❌ 1 · 🚫 0\nAlice Admin: ✅ 0 · ❌ 0 · 🚫 1"), stats


async def test_stats_are_refused_to_a_non_moderator_as_the_queue_is(
    telegram: FakeTelegram, bot: RunningBot
) -> None:
    """Someone in the group who is not a moderator gets /queue's refusal, and no figures."""
    # Restricted: in the group, but not one of its members who moderate.
    telegram.set_member_status(MODERATION_CHAT_ID, OUTSIDER_ID, "restricted")
    telegram.user_sends_text(OUTSIDER_ID, "/queue", chat_id=MODERATION_CHAT_ID)
    queue_refusal = await telegram.wait_for_bot_message(MODERATION_CHAT_ID)
    telegram.user_sends_text(OUTSIDER_ID, "/stats", chat_id=MODERATION_CHAT_ID)
    stats_refusal = await telegram.wait_for_bot_message(MODERATION_CHAT_ID)
    assert stats_refusal["text"] == queue_refusal["text"]
    assert stats_refusal["text"] == "Only moderators can decide on submissions."
    assert not [
        m for m in telegram.bot_messages_in(MODERATION_CHAT_ID) if "stats" in m["text"].lower()
    ]


async def test_status_shows_backlog_last_error_and_chats(
    telegram: FakeTelegram, bot: RunningBot, e2e_settings: Settings
) -> None:
    """A card Telegram refuses with a 429 waits in the outbox: the admin's /status shows
    it as the moderation group's backlog and as the last error, and both chats ok."""
    _, post = await post_article(telegram)
    telegram.user_sends_text(ADMIN_ID, "/status")
    before = (await telegram.wait_for_bot_message(ADMIN_ID, contains="Bot status"))["text"]
    assert "Last Telegram error: none since start" in before
    assert "Outbox: nothing waiting" in before

    telegram.fail_next(
        "sendMessage",
        429,
        "Too Many Requests: retry after 30",
        chat_id=MODERATION_CHAT_ID,
        retry_after=30,
    )
    telegram.user_sends_text(READER_IDS[0], f"/start {start_payload(post)}")
    await telegram.wait_for_bot_message(READER_IDS[0], contains="Send your comment")
    telegram.user_sends_text(READER_IDS[0], "Held back by a 429")
    await telegram.wait_for_bot_message(READER_IDS[0], contains="awaits moderation")
    assert await wait_for_outbox_error(e2e_settings, "send_card") == "429 retry after 30s"

    telegram.user_sends_text(ADMIN_ID, "/status")
    status = (await telegram.wait_for_bot_message(ADMIN_ID, contains="Bot status"))["text"]
    assert re.search(rf"Version {re.escape(bot_package.__version__)}, up \d+ s", status), status
    assert re.search(r"Outbox: 1 row waiting, the oldest for \d+ s", status), status
    assert re.search(r"• moderation group: 1, oldest \d+ s", status), status
    assert re.search(
        r"Last Telegram error: [A-Z][a-z]{2} \d{1,2}, \d{4}, \d\d:\d\d UTC \(\d+ s ago\),"
        r" moderation group, send_card: 429 retry after 30s",
        status,
    ), status
    assert f"✅ channel {CHANNEL_ID}: ok: The Blog" in status
    assert f"✅ moderation group {MODERATION_CHAT_ID}: ok: Moderators" in status
    assert "discussion group" not in status


async def test_status_shows_a_chat_telegram_refuses(
    telegram: FakeTelegram, discussion_settings: Settings
) -> None:
    """With a discussion group configured, each chat is looked up: one getChat refused
    shows its error, the others still show ok."""
    async with running_bot(discussion_settings):
        telegram.fail_next(
            "getChat",
            403,
            "Forbidden: bot was kicked from the supergroup chat",
            chat_id=DISCUSSION_CHAT_ID,
        )
        telegram.user_sends_text(ADMIN_ID, "/status")
        status = (await telegram.wait_for_bot_message(ADMIN_ID, contains="Bot status"))["text"]
    assert f"✅ channel {CHANNEL_ID}: ok: The Blog" in status
    assert f"✅ moderation group {MODERATION_CHAT_ID}: ok: Moderators" in status
    assert (
        f"❌ discussion group {DISCUSSION_CHAT_ID}: Forbidden: bot was kicked from the"
        " supergroup chat" in status
    )


async def test_status_is_refused_to_a_non_admin(telegram: FakeTelegram, bot: RunningBot) -> None:
    """A moderator who is not an admin, and a reader, get /post's refusal; no status."""

    def chat_lookups() -> int:
        return len([c for c in telegram.calls if c.method == "getChat"])

    looked_up_at_start = chat_lookups()
    for user_id in (MODERATOR_ID, READER_IDS[0]):
        telegram.user_sends_text(user_id, "/post https://blog.example/x\nTitle")
        post_refusal = await telegram.wait_for_bot_message(user_id)
        telegram.user_sends_text(user_id, "/status")
        status_refusal = await telegram.wait_for_bot_message(user_id)
        assert (
            status_refusal["text"] == post_refusal["text"] == "Only the blog's admins can do that."
        )
    # Refused before the chats were looked up.
    assert chat_lookups() == looked_up_at_start
