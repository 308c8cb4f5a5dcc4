"""What people do in Telegram, as steps the end-to-end tests compose."""

from __future__ import annotations

import re
from typing import Any

from bot import callback_data
from bot.services.verdicts import Decision
from sandbox.bot_api import FakeTelegram
from tests.factories import (
    ADMIN_ID,
    CHANNEL_ID,
    DISCUSSION_CHAT_ID,
    MODERATION_CHAT_ID,
    MODERATOR_ID,
)

Message = dict[str, Any]


async def post_article(
    telegram: FakeTelegram, title: str = "City budget passes", summary: str = "A long night."
) -> tuple[int, Message]:
    """An admin posts an article; returns its id and the channel post."""
    telegram.user_sends_text(
        ADMIN_ID, f"/post https://blog.example/{len(title)}\n{title}\n{summary}"
    )
    confirmation = await telegram.wait_for_bot_message(ADMIN_ID, contains="Posted article #")
    match = re.search(r"#(\d+)", confirmation["text"])
    assert match is not None
    post = await telegram.wait_for_bot_message(CHANNEL_ID, contains=title)
    return int(match[1]), post


def start_payload(post: Message) -> str:
    """The deep-link payload the post carries, in its button or its text link."""
    urls = [
        button.get("url", "")
        for row in post.get("reply_markup", {}).get("inline_keyboard", [])
        for button in row
    ]
    urls += [entity.get("url", "") for entity in post.get("entities", [])]
    for url in urls:
        match = re.search(r"\?start=([A-Za-z0-9_-]{1,64})$", url)
        if match:
            return match[1]
    raise AssertionError(f"no deep link in {post}")


async def comment(
    telegram: FakeTelegram,
    reader_id: int,
    post: Message,
    text: str,
    moderation_chat: int = MODERATION_CHAT_ID,
) -> Message:
    """A reader opens the article from its post and comments; returns the moderation card."""
    telegram.user_sends_text(reader_id, f"/start {start_payload(post)}")
    await telegram.wait_for_bot_message(reader_id, contains="Send your comment")
    telegram.user_sends_text(reader_id, text)
    await telegram.wait_for_bot_message(reader_id, contains="awaits moderation")
    return await telegram.wait_for_bot_message(moderation_chat, contains="Comment #")


def card_button_data(card: Message, decision: Decision) -> str:
    for row in card["reply_markup"]["inline_keyboard"]:
        for button in row:
            press = callback_data.parse_moderation(button.get("callback_data"))
            if press is not None and press.decision is decision:
                return str(button["callback_data"])
    raise AssertionError(f"no {decision} button on {card}")


async def press(
    telegram: FakeTelegram,
    user_id: int,
    card: Message,
    decision: Decision,
    moderation_chat: int = MODERATION_CHAT_ID,
) -> dict[str, Any]:
    """A moderator taps a card's button; returns the bot's answer to the press."""
    query_id = telegram.user_presses_button(
        user_id, moderation_chat, card["message_id"], card_button_data(card, decision)
    )
    return await telegram.wait_for(lambda: telegram.callback_answers.get(query_id))


async def card_without_buttons(telegram: FakeTelegram, card: Message) -> Message:
    """Waits until the card was edited to its decided form: no verdict buttons; only (a
    contact message, whose conversation goes on) `🚫 Ban author`, or (a ban made there)
    the ban's terms, or (a rejected comment) the reasons it may be given."""

    def decided() -> Message | None:
        current = telegram.message(MODERATION_CHAT_ID, card["message_id"])
        if not current:
            return None
        buttons = [
            button.get("callback_data", "")
            for row in current.get("reply_markup", {}).get("inline_keyboard", [])
            for button in row
        ]
        decided_buttons = ("mod:v1:ban:", callback_data.BAN_TERM_PREFIX, "why:v1:card:")
        return current if all(data.startswith(decided_buttons) for data in buttons) else None

    return await telegram.wait_for(decided)


def desk_text(telegram: FakeTelegram, desk: Message) -> str:
    current = telegram.message(MODERATION_CHAT_ID, desk["message_id"])
    return str(current["text"]) if current else ""


async def press_desk(
    telegram: FakeTelegram, desk: Message | None, action: str, user_id: int = MODERATOR_ID
) -> dict[str, Any]:
    """A moderator taps one of the review desk's buttons; returns the bot's answer."""
    assert desk is not None
    data = next(
        button["callback_data"]
        for row in desk["reply_markup"]["inline_keyboard"]
        for button in row
        if button["callback_data"].startswith(f"desk:v1:{action}:")
    )
    query_id = telegram.user_presses_button(user_id, MODERATION_CHAT_ID, desk["message_id"], data)
    return await telegram.wait_for(lambda: telegram.callback_answers.get(query_id))


async def thread_of(telegram: FakeTelegram, post: Message) -> Message:
    """The post's automatic forward in the discussion group: its comment thread."""

    def forward() -> Message | None:
        for message in telegram.messages_in(DISCUSSION_CHAT_ID):
            origin = message.get("forward_origin", {})
            if (
                message.get("is_automatic_forward")
                and origin.get("message_id") == post["message_id"]
            ):
                return message
        return None

    return await telegram.wait_for(forward)


def types_under(telegram: FakeTelegram, user_id: int, text: str, reply_to: int) -> Message:
    """A reader types in the discussion group, answering `reply_to` (the post's forward,
    or a comment under it)."""
    return telegram.user_sends_text(
        user_id, text, chat_id=DISCUSSION_CHAT_ID, reply_to_message_id=reply_to
    )


async def trusted_comment_in_thread(
    telegram: FakeTelegram, reader_id: int, post: Message, text: str
) -> tuple[Message, Message]:
    """With TRUSTED_AUTO_APPROVE=1 and a discussion group: a reader earns trust (one
    comment approved), then comments again, published at once. Returns that comment's
    post in the thread and its card."""
    first = await comment(telegram, reader_id, post, "Earned trust")
    await press(telegram, MODERATOR_ID, first, Decision.APPROVE)
    await telegram.wait_for_bot_message(DISCUSSION_CHAT_ID, contains="Earned trust")
    telegram.user_sends_text(reader_id, f"/start {start_payload(post)}")
    await telegram.wait_for_bot_message(reader_id, contains="Send your comment")
    telegram.user_sends_text(reader_id, text)
    await telegram.wait_for_bot_message(reader_id, contains="is published")
    in_thread = await telegram.wait_for_bot_message(DISCUSSION_CHAT_ID, contains=text)
    card = await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains=text)
    return in_thread, card


async def open_spam_list(telegram: FakeTelegram) -> dict[str, Any]:
    """A moderator sends /spam; returns the list of catches."""
    telegram.user_sends_text(MODERATOR_ID, "/spam", chat_id=MODERATION_CHAT_ID)
    return await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="Caught as spam")


async def tap_not_spam(telegram: FakeTelegram, listed: dict[str, Any], number: int) -> str:
    """A moderator taps the list's `↩️ Not spam (number)` (`↩️ Not spam` when it lists one);
    returns the bot's answer."""
    buttons = [b for row in listed["reply_markup"]["inline_keyboard"] for b in row]
    button = buttons[number - 1]
    assert button["text"] == (f"↩️ Not spam ({number})" if len(buttons) > 1 else "↩️ Not spam")
    query_id = telegram.user_presses_button(
        MODERATOR_ID, MODERATION_CHAT_ID, listed["message_id"], button["callback_data"]
    )
    answer = await telegram.wait_for(lambda: telegram.callback_answers.get(query_id))
    return str(answer["text"])


def edit_data(card: Message) -> str:
    for row in card["reply_markup"]["inline_keyboard"]:
        for button in row:
            if button.get("callback_data", "").startswith("edit:v1:"):
                return str(button["callback_data"])
    raise AssertionError(f"no ✏️ Edit button on {card}")


async def tap_edit(telegram: FakeTelegram, card: Message) -> Message:
    """The moderator taps ✏️ Edit; returns the bot's answer to the tap."""
    query = telegram.user_presses_button(
        MODERATOR_ID, MODERATION_CHAT_ID, card["message_id"], edit_data(card)
    )
    answer: Message = await telegram.wait_for(lambda: telegram.callback_answers.get(query))
    return answer


def reply_to_card(telegram: FakeTelegram, card: Message, text: str) -> None:
    telegram.user_sends_text(
        MODERATOR_ID, text, chat_id=MODERATION_CHAT_ID, reply_to_message_id=card["message_id"]
    )


async def card_showing(telegram: FakeTelegram, card: Message, *parts: str) -> Message:
    def shown() -> Message | None:
        current = telegram.message(MODERATION_CHAT_ID, card["message_id"])
        return current if current and all(p in current["text"] for p in parts) else None

    found: Message = await telegram.wait_for(shown)
    return found


async def send_contact_form(
    telegram: FakeTelegram, reader: int, name: str, email: str, message: str
) -> None:
    """A reader completes /contact, up to "reached the editors"."""
    for typed, asked in (
        ("/contact", "What is your name?"),
        (name, "What is your email address?"),
        (email, "Now your message"),
        (message, "reached the editors"),
    ):
        telegram.user_sends_text(reader, typed)
        await telegram.wait_for_bot_message(reader, contains=asked)


async def fill_form(
    telegram: FakeTelegram, reader: int, name: str, email: str, message: str
) -> Message:
    """A reader completes /contact; returns the card that reaches the moderators."""
    await send_contact_form(telegram, reader, name, email, message)
    return await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="Contact message #")
