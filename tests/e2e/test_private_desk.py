"""Moderators' private desks (/desk): claims, expiry, decisions made elsewhere, contact
answers written on a desk, and a moderator who left the team."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot import callback_data
from bot.services.verdicts import Decision
from sandbox.bot_api import FakeTelegram
from tests.e2e.harness import OUTSIDER_ID, populate, running_bot, wait_for_outbox
from tests.e2e.steps import card_without_buttons, post_article, press, start_payload
from tests.factories import MODERATION_CHAT_ID, MODERATOR_ID, make_settings

SECOND_MODERATOR = 1_044
Message = dict[str, Any]


def team(telegram: FakeTelegram) -> None:
    populate(telegram, with_discussion=False)
    # Stricter than Telegram (which allows short bursts): the desks must keep to it.
    telegram.private_rate_limit_per_second = 1
    telegram.add_user(SECOND_MODERATOR, "Sam", "Second")
    telegram.set_member_status(MODERATION_CHAT_ID, SECOND_MODERATOR, "member")


def desk_now(telegram: FakeTelegram, desk: Message) -> Message:
    current = telegram.message(desk["chat"]["id"], desk["message_id"])
    assert current is not None
    return current


def buttons(message: Message) -> dict[str, str]:
    return {
        button["text"]: button["callback_data"]
        for row in message.get("reply_markup", {}).get("inline_keyboard", [])
        for button in row
    }


async def tap(telegram: FakeTelegram, user_id: int, desk: Message, label: str) -> Message:
    """The moderator taps a button of their desk as it is now; returns the bot's answer."""
    current = desk_now(telegram, desk)
    data = buttons(current)[label]
    query_id = telegram.user_presses_button(user_id, user_id, current["message_id"], data)
    answer: Message = await telegram.wait_for(lambda: telegram.callback_answers.get(query_id))
    return answer


async def open_desk(telegram: FakeTelegram, user_id: int, contains: str = "Your desk") -> Message:
    telegram.user_sends_text(user_id, "/desk")
    return await telegram.wait_for_bot_message(user_id, contains=contains)


async def shows(telegram: FakeTelegram, desk: Message, text: str) -> Message:
    return await telegram.wait_for(
        lambda: (m := desk_now(telegram, desk)) and text in m["text"] and m
    )


async def contact_waiting(telegram: FakeTelegram, reader: int, name: str, text: str) -> Message:
    """A reader fills the contact form; returns its card in the moderation group."""
    telegram.user_sends_text(reader, "/contact")
    await telegram.wait_for_bot_message(reader, contains="What is your name")
    telegram.user_sends_text(reader, name)
    await telegram.wait_for_bot_message(reader, contains="email")
    telegram.user_sends_text(reader, f"{name.lower()}@example.com")
    await telegram.wait_for_bot_message(reader, contains="Now your message")
    telegram.user_sends_text(reader, text)
    await telegram.wait_for_bot_message(reader, contains="reached the editors")
    return await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains=text)


def item_of(desk: Message) -> int:
    """The item a desk message shows, from its buttons' data."""
    press = callback_data.parse_private_desk(buttons(desk)["✖️ Close"])
    assert press is not None
    return press.submission_id


def said_to(telegram: FakeTelegram, chat_id: int) -> list[str]:
    """Every text the bot sent or edited into the chat, as sent: an edit overwrites the
    fake's copy of a message, not this."""
    return [
        str(call.params.get("text", ""))
        for call in telegram.calls
        if call.method in {"sendMessage", "editMessageText"}
        and call.params.get("chat_id") == chat_id
    ]


async def comments_waiting(telegram: FakeTelegram, texts: list[str]) -> Message:
    _, post = await post_article(telegram)
    for number, text in enumerate(texts):
        reader = 70_000 + number
        telegram.add_user(reader, f"Reader {number}")
        telegram.user_sends_text(reader, f"/start {start_payload(post)}")
        await telegram.wait_for_bot_message(reader, contains="Send your comment")
        telegram.user_sends_text(reader, text)
        await telegram.wait_for_bot_message(reader, contains="awaits moderation")
        await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains=text)
    return post


async def test_two_desks_hold_different_items_and_move_on_after_each_tap(
    telegram: FakeTelegram, database_path: Path
) -> None:
    team(telegram)
    settings = make_settings(database_path, telegram_api_url=telegram.base_url)
    async with running_bot(settings):
        await comments_waiting(telegram, ["First words", "Second words", "Third words"])
        mine = await open_desk(telegram, MODERATOR_ID)
        theirs = await open_desk(telegram, SECOND_MODERATOR)
        assert "First words" in mine["text"] and "3 waiting" in mine["text"]
        assert "Second words" in theirs["text"]
        assert set(buttons(mine)) == {
            "✅ Approve",
            "❌ Reject",
            "🚫 Ban author",
            "🧹 Spam",
            "⏭ Skip",
            "✖️ Close",
        }
        answer = await tap(telegram, SECOND_MODERATOR, theirs, "⏭ Skip")
        assert answer["text"] == "Skipped: it stays in the queue."
        # Not the item the other desk holds: the next free one.
        await shows(telegram, theirs, "Third words")
        answer = await tap(telegram, MODERATOR_ID, mine, "✅ Approve")
        assert answer["text"] == "Approved."
        # The item skipped on the other desk is free again.
        await shows(telegram, mine, "Second words")
        assert "2 waiting" in desk_now(telegram, mine)["text"]
        # The group's card catches up with the decision made on the desk.
        first_card = next(
            m for m in telegram.bot_messages_in(MODERATION_CHAT_ID) if "First words" in m["text"]
        )
        decided = await card_without_buttons(telegram, first_card)
        assert "Approved" in decided["text"] and "Mo" in decided["text"]
    assert [c for c in telegram.calls if c.status == 429] == []


async def test_a_card_decided_in_the_group_is_said_on_the_desk_that_held_it(
    telegram: FakeTelegram, database_path: Path
) -> None:
    """The desk keeps the item and names who decided it; ▶️ Next moves on."""
    team(telegram)
    settings = make_settings(database_path, telegram_api_url=telegram.base_url)
    async with running_bot(settings):
        await comments_waiting(telegram, ["Held words", "Next words"])
        desk = await open_desk(telegram, SECOND_MODERATOR)
        assert "Held words" in desk["text"]
        stale = desk_now(telegram, desk)
        card = next(
            m for m in telegram.bot_messages_in(MODERATION_CHAT_ID) if "Held words" in m["text"]
        )
        await press(telegram, MODERATOR_ID, card, Decision.REJECT)
        decided = await shows(telegram, desk, "decided by Mo")
        assert "Held words" in decided["text"] and "Rejected" in decided["text"]
        # A tap on the desk as it was before decides nothing twice.
        query_id = telegram.user_presses_button(
            SECOND_MODERATOR,
            SECOND_MODERATOR,
            stale["message_id"],
            buttons(stale)["✅ Approve"],
        )
        answer = await telegram.wait_for(lambda: telegram.callback_answers.get(query_id))
        assert "Already rejected by Mo" in answer["text"]
        await tap(telegram, SECOND_MODERATOR, desk, "▶️ Next")
        await shows(telegram, desk, "Next words")


async def test_a_claim_runs_out_and_the_item_goes_to_another_desk(
    telegram: FakeTelegram, database_path: Path
) -> None:
    team(telegram)
    settings = make_settings(
        database_path,
        telegram_api_url=telegram.base_url,
        desk_claim_seconds=2,
        # The idle desk's moderator was checked when they opened it: that is trusted a while.
        moderator_cache_seconds=60,
    )
    async with running_bot(settings):
        await comments_waiting(telegram, ["Only words"])
        mine = await open_desk(telegram, MODERATOR_ID)
        assert "Only words" in mine["text"]
        theirs = await open_desk(telegram, SECOND_MODERATOR)
        assert "Nothing is waiting for you" in theirs["text"]
        await shows(telegram, mine, "Your desk is paused")
        # The idle desk takes the item released.
        await shows(telegram, theirs, "Only words")
        answer = await tap(telegram, MODERATOR_ID, mine, "▶️ Continue")
        assert answer.get("text") is None
        await shows(telegram, mine, "Nothing is waiting for you")


async def test_a_contact_message_is_answered_from_a_desk_and_threads_under_its_card(
    telegram: FakeTelegram, database_path: Path
) -> None:
    team(telegram)
    reader = 2001
    settings = make_settings(database_path, telegram_api_url=telegram.base_url)
    async with running_bot(settings):
        card = await contact_waiting(telegram, reader, "Rosa", "Please take down my old comment")
        desk = await open_desk(telegram, MODERATOR_ID)
        assert "Please take down my old comment" in desk["text"]
        assert "Reply to this message to answer" in desk["text"]
        telegram.user_sends_sticker(MODERATOR_ID, reply_to_message_id=desk["message_id"])
        await telegram.wait_for_bot_message(MODERATOR_ID, contains="Only text answers")
        telegram.user_sends_text(
            MODERATOR_ID, "Done, it is gone.", reply_to_message_id=desk["message_id"]
        )
        await telegram.wait_for_bot_message(MODERATOR_ID, contains="on its way to the reader")
        answer = await telegram.wait_for_bot_message(reader, contains="Done, it is gone.")
        assert "Reply from the editors" in answer["text"]
        copy = await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="Done, it is gone.")
        assert copy["reply_to_message"]["message_id"] == card["message_id"]
        assert "private desk" in copy["text"]
        # The reader's answer back threads under the card too.
        telegram.user_sends_text(reader, "Thank you!", reply_to_message_id=answer["message_id"])
        back = await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="Thank you!")
        assert back["reply_to_message"]["message_id"] == card["message_id"]
        # In the group, a reply to the copy continues the conversation.
        telegram.user_sends_text(
            SECOND_MODERATOR,
            "Anything else?",
            chat_id=MODERATION_CHAT_ID,
            reply_to_message_id=copy["message_id"],
        )
        await telegram.wait_for_bot_message(reader, contains="Anything else?")


async def test_a_moderator_who_left_loses_the_desk_at_the_next_tap(
    telegram: FakeTelegram, database_path: Path
) -> None:
    team(telegram)
    settings = make_settings(database_path, telegram_api_url=telegram.base_url)
    async with running_bot(settings):
        await comments_waiting(telegram, ["Words left behind"])
        desk = await open_desk(telegram, SECOND_MODERATOR)
        telegram.set_member_status(MODERATION_CHAT_ID, SECOND_MODERATOR, "left")
        answer = await tap(telegram, SECOND_MODERATOR, desk, "✅ Approve")
        assert "no longer in the moderation group" in answer["text"]
        await shows(telegram, desk, "Your desk is closed")
        assert buttons(desk_now(telegram, desk)) == {}
        # Nothing was decided, and the item is free for the others.
        mine = await open_desk(telegram, MODERATOR_ID)
        assert "Words left behind" in mine["text"]
        telegram.user_sends_text(SECOND_MODERATOR, "/desk")
        await telegram.wait_for_bot_message(SECOND_MODERATOR, contains="Only moderators")


async def test_someone_who_is_not_a_moderator_is_refused_a_desk(
    telegram: FakeTelegram, database_path: Path
) -> None:
    populate(telegram, with_discussion=False)
    settings = make_settings(database_path, telegram_api_url=telegram.base_url)
    async with running_bot(settings):
        telegram.user_sends_text(OUTSIDER_ID, "/desk")
        refusal = await telegram.wait_for_bot_message(OUTSIDER_ID)
        assert "Only moderators can open a review desk." in refusal["text"]


async def test_a_desk_opened_again_retires_the_old_message_and_refuses_what_it_cannot_send(
    telegram: FakeTelegram, database_path: Path
) -> None:
    team(telegram)
    settings = make_settings(database_path, telegram_api_url=telegram.base_url)
    async with running_bot(settings):
        await comments_waiting(telegram, ["Words to keep", "Words to reject"])
        old = await open_desk(telegram, MODERATOR_ID)
        desk = await open_desk(telegram, MODERATOR_ID)
        # The same item, still claimed; the old message keeps no button to tap.
        assert "Words to keep" in desk["text"]
        await shows(telegram, old, "moved to a newer message")
        assert buttons(desk_now(telegram, old)) == {}
        # A reply to a comment on the desk, or a sticker, delivers nothing and says so.
        telegram.user_sends_text(MODERATOR_ID, "Nice one", reply_to_message_id=desk["message_id"])
        await telegram.wait_for_bot_message(MODERATOR_ID, contains="only contact messages")
        telegram.user_sends_sticker(MODERATOR_ID, reply_to_message_id=desk["message_id"])
        await telegram.wait_for_bot_message(MODERATOR_ID, contains="only contact messages")
        answer = await tap(telegram, MODERATOR_ID, desk, "❌ Reject")
        assert answer["text"] == "Rejected."
        await shows(telegram, desk, "Words to reject")
        await tap(telegram, MODERATOR_ID, desk, "✖️ Close")
        await shows(telegram, desk, "Your desk is closed")
        # Closed, the item went back: nobody holds it, and the group's desk may show it.
        assert buttons(desk_now(telegram, desk)) == {}
        theirs = await open_desk(telegram, SECOND_MODERATOR)
        assert "Words to reject" in theirs["text"]
    assert [c for c in telegram.calls if c.status == 429] == []


async def test_an_answer_written_while_the_contact_is_decided_elsewhere_reaches_no_other_reader(
    telegram: FakeTelegram, database_path: Path
) -> None:
    """Telegram hands a reply with the replied message as it is when the reply is sent:
    a desk that turned into another contact while its moderator wrote would send the
    answer to that other reader. The desk keeps the contact it showed, and says who
    decided it."""
    team(telegram)
    rosa, bea = 2001, 2002
    settings = make_settings(database_path, telegram_api_url=telegram.base_url)
    async with running_bot(settings):
        rosas_card = await contact_waiting(telegram, rosa, "Rosa", "Please take down my comment")
        await contact_waiting(telegram, bea, "Bea", "My address changed")
        desk = await open_desk(telegram, SECOND_MODERATOR)
        assert "Please take down my comment" in desk["text"]
        rosas_item = item_of(desk)
        # Sam starts writing his answer; meanwhile Mo decides Rosa's message on its card.
        await press(telegram, MODERATOR_ID, rosas_card, Decision.APPROVE)
        changed = await telegram.wait_for(
            lambda: (m := desk_now(telegram, desk)) and m["text"] != desk["text"] and m
        )
        telegram.user_sends_text(
            SECOND_MODERATOR, "Done, Rosa: it is gone.", reply_to_message_id=desk["message_id"]
        )
        told = await telegram.wait_for_bot_message(SECOND_MODERATOR, contains="answer")

        def reached() -> int | None:
            return next(
                (
                    reader
                    for reader in (rosa, bea)
                    if any("Done, Rosa" in text for text in said_to(telegram, reader))
                ),
                None,
            )

        assert await telegram.wait_for(reached) == rosa
        assert f"#{rosas_item}" in told["text"]
        # The desk said who decided it, and offers the next item.
        assert "Please take down my comment" in changed["text"]
        assert "decided by Mo" in changed["text"]
        assert set(buttons(changed)) == {"▶️ Next", "✖️ Close"}
        await tap(telegram, SECOND_MODERATOR, desk, "▶️ Next")
        await shows(telegram, desk, "My address changed")
        await wait_for_outbox(settings, lambda s: "pending" not in s.values())
    assert not any("Done, Rosa" in text for text in said_to(telegram, bea))


async def test_a_moderator_who_left_gets_no_readers_words_on_an_idle_desk(
    telegram: FakeTelegram, database_path: Path
) -> None:
    """The bot hears nothing when someone leaves the moderation group: an idle desk takes
    new items only while its moderator's membership was checked recently (here: never
    trusted, MODERATOR_CACHE_SECONDS=0), else it pauses and ▶️ Continue checks again."""
    team(telegram)
    reader = 2001
    settings = make_settings(
        database_path,
        telegram_api_url=telegram.base_url,
        # No membership answer is trusted later (the default is a minute).
        moderator_cache_seconds=0,
        # Claims are swept each second.
        desk_claim_seconds=4,
    )
    async with running_bot(settings):
        desk = await open_desk(telegram, SECOND_MODERATOR)
        assert "Nothing is waiting for you" in desk["text"]
        telegram.set_member_status(MODERATION_CHAT_ID, SECOND_MODERATOR, "left")
        await contact_waiting(telegram, reader, "Rosa", "My private complaint")
        moved = await telegram.wait_for(
            lambda: (m := desk_now(telegram, desk)) and "Nothing is waiting" not in m["text"] and m
        )
        assert "My private complaint" not in moved["text"]
        assert "Your desk is paused" in moved["text"]
        assert set(buttons(moved)) == {"▶️ Continue", "✖️ Close"}
        answer = await tap(telegram, SECOND_MODERATOR, desk, "▶️ Continue")
        assert "no longer in the moderation group" in answer["text"]
        await shows(telegram, desk, "Your desk is closed")
        # Mo, still a moderator, takes the item at once.
        mine = await open_desk(telegram, MODERATOR_ID)
        assert "My private complaint" in mine["text"]
    words = said_to(telegram, SECOND_MODERATOR)
    assert not any("rosa@example.com" in text or "My private complaint" in text for text in words)


async def test_an_answer_begun_before_its_moderator_moved_the_desk_on_is_refused(
    telegram: FakeTelegram, database_path: Path
) -> None:
    """A moderator begins an answer to one contact, taps Skip, and sends it: the desk
    turned to the next contact under their pen, by their own hand, and Telegram hands the
    reply with that next contact. Sent within seconds of the change, it goes nowhere."""
    team(telegram)
    rosa, bea = 2001, 2002
    settings = make_settings(database_path, telegram_api_url=telegram.base_url)
    async with running_bot(settings):
        await contact_waiting(telegram, rosa, "Rosa", "Please take down my comment")
        await contact_waiting(telegram, bea, "Bea", "My address changed")
        desk = await open_desk(telegram, SECOND_MODERATOR)
        assert "Please take down my comment" in desk["text"]
        await tap(telegram, SECOND_MODERATOR, desk, "⏭ Skip")
        await shows(telegram, desk, "My address changed")
        telegram.user_sends_text(
            SECOND_MODERATOR, "Done, Rosa: it is gone.", reply_to_message_id=desk["message_id"]
        )
        await telegram.wait_for_bot_message(SECOND_MODERATOR, contains="Nothing was sent")
        await wait_for_outbox(settings, lambda s: "pending" not in s.values())
    for reader in (rosa, bea):
        assert not any("Done, Rosa" in text for text in said_to(telegram, reader))
