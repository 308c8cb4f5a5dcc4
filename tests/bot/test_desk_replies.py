"""Which item a reply to a private desk answers: the one the replied message showed."""

from __future__ import annotations

from datetime import UTC, datetime

from telegram import Chat, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot import callback_data
from bot.callback_data import PrivateDeskAction
from handlers.private_desk import item_shown_by

MODERATOR = Chat(1002, Chat.PRIVATE)


def desk_message(text: str, item: int | None) -> Message:
    markup = (
        InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        "✅ Approve",
                        callback_data=callback_data.private_desk(PrivateDeskAction.APPROVE, item),
                    )
                ]
            ]
        )
        if item is not None
        else None
    )
    return Message(7, datetime.now(UTC), MODERATOR, text=text, reply_markup=markup)


def test_the_buttons_say_which_item_the_message_showed() -> None:
    text = "🗂 Your desk: 2 waiting.\n\n✉️ Contact message #12\nPlease see #99"
    assert item_shown_by(desk_message(text, 12)) == 12


def test_without_buttons_the_cards_number_does() -> None:
    text = "🗂 Tu mesa: 2 en espera.\n\n✉️ Mensaje de contacto #12\nVer #99"
    assert item_shown_by(desk_message(text, None)) == 12
    assert item_shown_by(desk_message("✖️ Your desk is closed.", None)) is None
