"""Which item a reply to a private desk answers: the one the replied message showed."""

from __future__ import annotations

from datetime import UTC, datetime

from telegram import Chat, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot import callback_data
from bot.i18n import Texts
from bot.rendering.private_desk import private_desk
from bot.services.verdicts import Decision
from handlers.private_desk import item_shown_by
from storage.models import Person, Submission, SubmissionKind, SubmissionStatus
from storage.private_desks import DeskState, PrivateDesk

MODERATOR = Chat(1002, Chat.PRIVATE)


def desk_message(text: str, item: int | None) -> Message:
    markup = (
        InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        "✅ Approve",
                        callback_data=callback_data.private_desk(Decision.APPROVE, item),
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


def contact_message(status: SubmissionStatus) -> Submission:
    decided = status is not SubmissionStatus.PENDING
    return Submission(
        id=12,
        kind=SubmissionKind.CONTACT,
        author=Person(2001, "Rosa"),
        article_id=None,
        text="Please take down my comment",
        status=status,
        created_at=1.0,
        decided_by=1001 if decided else None,
        decided_by_name="Mo" if decided else None,
        decided_at=2.0 if decided else None,
        author_banned=False,
        contact_name="Rosa",
        contact_email="rosa@example.com",
    )


def test_a_desk_names_its_item_in_its_buttons_pending_or_decided_elsewhere() -> None:
    """What a reply to the desk answers is read from the desk as Telegram hands it: every
    view that shows an item carries it, and an empty desk none."""
    t = Texts("en")
    desk = PrivateDesk(MODERATOR.id, DeskState.OPEN, 12, 300.0, 7, None)
    for status in (SubmissionStatus.PENDING, SubmissionStatus.APPROVED):
        text, markup = private_desk(t, desk, contact_message(status), None, 2, 300.0)
        shown = Message(7, datetime.now(UTC), MODERATOR, text=text, reply_markup=markup)
        assert item_shown_by(shown) == 12
    text, markup = private_desk(t, desk, contact_message(SubmissionStatus.APPROVED), None, 1, 1)
    assert "#12 was decided by Mo" in text
    empty = PrivateDesk(MODERATOR.id, DeskState.OPEN, None, None, 7, None)
    text, markup = private_desk(t, empty, None, None, 0, 300.0)
    shown = Message(7, datetime.now(UTC), MODERATOR, text=text, reply_markup=markup)
    assert item_shown_by(shown) is None
