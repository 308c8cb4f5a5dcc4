"""What the bot needs in each of its chats, by role and THREAD_MODERATION, and what a
membership Telegram reports holds of it."""

from __future__ import annotations

from pathlib import Path

import pytest
from telegram import ChatMember, ChatMemberAdministrator, ChatMemberMember, User

from bot.chats import needed_rights, rights_found
from bot.settings import ThreadModeration
from tests.factories import make_settings

BOT = User(123456, "Newsroom Bot", is_bot=True)
CHAT = -1001000000003


def admin(*, can_restrict_members: bool = True) -> ChatMember:
    return ChatMemberAdministrator(
        BOT,
        can_be_edited=False,
        is_anonymous=False,
        can_manage_chat=True,
        can_delete_messages=True,
        can_manage_video_chats=True,
        can_restrict_members=can_restrict_members,
        can_promote_members=False,
        can_change_info=True,
        can_invite_users=True,
        can_post_stories=False,
        can_edit_stories=False,
        can_delete_stories=False,
    )


@pytest.mark.parametrize(
    ("role", "mode", "needed"),
    [
        ("channel", "pre", ("can_post_messages", "can_edit_messages", "can_delete_messages")),
        ("moderation", "pre", ("administrator",)),
        ("discussion", "pre", ("administrator", "can_delete_messages", "can_restrict_members")),
        ("discussion", "post", ("administrator", "can_delete_messages", "can_restrict_members")),
        # Unmoderated threads: the bot must still see the automatic forwards to find them.
        ("discussion", "off", ("administrator",)),
    ],
)
def test_what_the_bot_needs(tmp_path: Path, role: str, mode: str, needed: tuple[str, ...]) -> None:
    """Whatever getMe says of privacy mode: turned off, it reaches only groups the bot is
    added to afterwards."""
    settings = make_settings(tmp_path / "db.sqlite3", thread_moderation=ThreadModeration(mode))
    assert needed_rights(settings, role) == needed


def missing(member: ChatMember, needed: tuple[str, ...]) -> list[str]:
    return [found.right for found in rights_found(CHAT, member, needed) if not found.held]


def test_a_plain_member_that_must_be_an_admin_lacks_that_only() -> None:
    needed = ("administrator", "can_delete_messages", "can_restrict_members")
    assert missing(ChatMemberMember(BOT), needed) == ["administrator"]
    assert missing(admin(can_restrict_members=False), needed) == ["can_restrict_members"]
    assert missing(admin(), needed) == []


def test_where_being_an_admin_is_not_asked_a_member_lacks_each_right() -> None:
    needed = ("can_delete_messages", "can_restrict_members")
    assert missing(ChatMemberMember(BOT), needed) == list(needed)
    assert missing(ChatMemberMember(BOT), ()) == []
