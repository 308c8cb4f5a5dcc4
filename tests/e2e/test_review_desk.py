"""A burst larger than the moderation chat's budget: cards fold into the review desk."""

from __future__ import annotations

from pathlib import Path

from sandbox.bot_api import FakeTelegram
from tests.e2e.harness import populate, running_bot
from tests.e2e.steps import desk_text, post_article, press_desk, start_payload
from tests.factories import MODERATION_CHAT_ID, MODERATOR_ID, make_settings

BURST = 30


async def test_a_burst_fills_the_budget_then_folds_into_one_desk(
    telegram: FakeTelegram, database_path: Path
) -> None:
    """With Telegram's 20 a minute enforced, edits counted: 15 cards, one desk for the rest,
    the desk's edits before the decided cards', the last place left free, and no 429."""
    populate(telegram, with_discussion=False)
    telegram.group_rate_limit_per_minute = 20
    settings = make_settings(
        database_path, telegram_api_url=telegram.base_url, group_messages_per_minute=20
    )
    async with running_bot(settings):
        _, post = await post_article(telegram)
        readers = list(range(80_000, 80_000 + BURST))
        for reader in readers:
            telegram.add_user(reader, f"Reader {reader}")
            telegram.user_sends_text(reader, f"/start {start_payload(post)}")
        for reader in readers:
            await telegram.wait_for_bot_message(reader, contains="Send your comment")
        for number, reader in enumerate(readers):
            telegram.user_sends_text(reader, f"Burst comment {number}")
        for reader in readers:
            await telegram.wait_for_bot_message(reader, contains="awaits moderation")
        desk = await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="Review desk")
        cards = [
            m
            for m in telegram.bot_messages_in(MODERATION_CHAT_ID)
            if m["text"].startswith("💬 Comment #")
        ]
        # Five places of the minute are kept for the desk and the edits after taps.
        assert len(cards) == 15
        assert f"{BURST} waiting" in desk["text"]
        # It opens at the first comment without a card: those before it are on theirs.
        assert "Burst comment 15" in desk["text"]
        # Three taps: each moves the desk on at once (an edit, within the minute).
        for step in range(3):
            current = telegram.message(MODERATION_CHAT_ID, desk["message_id"])
            answer = await press_desk(telegram, current, "approve")
            assert answer["text"] == "Approved."
            waiting = f"{BURST - step - 1} waiting"
            await telegram.wait_for(lambda: waiting in desk_text(telegram, desk))  # noqa: B023
        assert "Burst comment 18" in desk_text(telegram, desk)
        # The minute is spent but for the place left to a handler's reply: the next tap is
        # taken and answered, and says when the desk will move on.
        current = telegram.message(MODERATION_CHAT_ID, desk["message_id"])
        answer = await press_desk(telegram, current, "approve")
        assert answer["text"].startswith("Approved.")
        assert "moves on in" in answer["text"]
        telegram.user_sends_text(MODERATOR_ID, "/queue", chat_id=MODERATION_CHAT_ID)
        await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="waiting for moderation")
        calls = [
            c
            for c in telegram.calls
            if c.method in {"sendMessage", "editMessageText"}
            and c.params.get("chat_id") == MODERATION_CHAT_ID
        ]
        # 15 cards, the desk, three desk edits and the /queue answer: the whole minute.
        assert len(calls) == 20
        # The decided cards wait: not one was edited yet.
        assert all(c.params.get("message_id") == desk["message_id"] for c in calls[16:19])
        # With the minute spent, more commands wait for the next one in the outbox, not in
        # their handlers: a reader who writes meanwhile is answered at once.
        late_reader = 81_000
        telegram.add_user(late_reader, "Late reader")
        telegram.user_sends_text(late_reader, f"/start {start_payload(post)}")
        await telegram.wait_for_bot_message(late_reader, contains="Send your comment")
        telegram.user_sends_text(MODERATOR_ID, "/unban", chat_id=MODERATION_CHAT_ID)
        telegram.user_sends_text(MODERATOR_ID, "/unban", chat_id=MODERATION_CHAT_ID)
        telegram.user_sends_text(late_reader, "A comment while the minute is spent")
        await telegram.wait_for_bot_message(late_reader, contains="awaits moderation", timeout=5)
        assert not [
            m for m in telegram.bot_messages_in(MODERATION_CHAT_ID) if "/unban" in m["text"]
        ]
    assert [c for c in telegram.calls if c.status == 429] == []


async def test_a_burst_beyond_telegrams_overall_budget_is_answered_without_a_429(
    telegram: FakeTelegram, database_path: Path
) -> None:
    """With an overall limit of 10 a second enforced and the bot keeping to 8 (30 and 25 in
    life: the margin absorbs the jitter between the bot's sends and Telegram's clock), 25
    readers open an article and comment at once: every reply and acknowledgement arrives."""
    populate(telegram, with_discussion=False)
    telegram.overall_rate_limit_per_second = 10
    settings = make_settings(
        database_path, telegram_api_url=telegram.base_url, messages_per_second=8
    )
    async with running_bot(settings):
        _, post = await post_article(telegram)
        readers = list(range(81_000, 81_025))
        for reader in readers:
            telegram.add_user(reader, f"Reader {reader}")
            telegram.user_sends_text(reader, f"/start {start_payload(post)}")
        for reader in readers:
            await telegram.wait_for_bot_message(reader, contains="Send your comment", timeout=15)
        for reader in readers:
            telegram.user_sends_text(reader, "Paced comment")
        for reader in readers:
            await telegram.wait_for_bot_message(reader, contains="awaits moderation", timeout=15)
    assert [c for c in telegram.calls if c.status == 429] == []
