"""Comments typed under a post, in the discussion group, with THREAD_MODERATION=pre: held
for a moderator, taken down from the thread, and published there by the bot on approval."""

from __future__ import annotations

from pathlib import Path

import aiosqlite
import pytest

from bot.delivery import discussion
from bot.services.verdicts import Decision
from bot.settings import Settings
from sandbox.bot_api import FakeTelegram
from tests.e2e.harness import OUTSIDER_ID, READER_IDS, populate, running_bot
from tests.e2e.steps import (
    Message,
    comment,
    post_article,
    press,
    thread_of,
    trusted_comment_in_thread,
    types_under,
)
from tests.factories import (
    ADMIN_ID,
    CHANNEL_ID,
    DISCUSSION_CHAT_ID,
    MODERATION_CHAT_ID,
    MODERATOR_ID,
    make_settings,
)

READER, OTHER_READER = READER_IDS[0], READER_IDS[1]
PREMIUM_READER = 2100


async def test_a_comment_typed_under_a_post_waits_for_a_moderator_then_is_published(
    telegram: FakeTelegram, discussion_settings: Settings
) -> None:
    """The reader's message leaves the thread at once and becomes a card; the reader, who
    talks to the bot, hears why privately; approved, the bot posts it in the thread,
    signed, as a reply to the post."""
    telegram.user_sends_text(READER, "/start")
    async with running_bot(discussion_settings):
        _, post = await post_article(telegram)
        thread = await thread_of(telegram, post)
        typed = types_under(
            telegram, READER, "Typed straight into the thread", thread["message_id"]
        )
        card = await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="Typed straight")
        await telegram.wait_for(
            lambda: telegram.message(DISCUSSION_CHAT_ID, typed["message_id"]) is None
        )
        notice = await telegram.wait_for_bot_message(READER, contains="taken down")
        assert "City budget passes" in notice["text"]
        assert not telegram.bot_messages_in(DISCUSSION_CHAT_ID)
        answer = await press(telegram, MODERATOR_ID, card, Decision.APPROVE)
        assert answer["text"] == "Approved."
        published = await telegram.wait_for_bot_message(
            DISCUSSION_CHAT_ID, contains="Typed straight into the thread"
        )
        await telegram.wait_for_bot_message(READER, contains="was published")
    # The author hears "published" only once the thread post exists.
    sends = [c for c in telegram.calls if c.method == "sendMessage" and c.status == 200]
    posted_at = next(i for i, c in enumerate(sends) if c.params["chat_id"] == DISCUSSION_CHAT_ID)
    told_at = next(i for i, c in enumerate(sends) if "was published" in str(c.params["text"]))
    assert posted_at < told_at
    assert published["reply_to_message"]["message_id"] == thread["message_id"]
    assert published["message_thread_id"] == thread["message_id"]
    assert "Reader0" in published["text"]


async def test_an_author_without_a_private_chat_is_told_in_the_thread_once(
    telegram: FakeTelegram, discussion_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reader who never opened the bot gets a short notice in the thread, deleted a
    moment later, and no second one for their next comment; a reply to a published
    comment is published as a reply to it."""
    monkeypatch.setattr(discussion, "THREAD_NOTICE_LIFETIME", 0.5)
    async with running_bot(discussion_settings):
        _, post = await post_article(telegram)
        thread = await thread_of(telegram, post)
        types_under(telegram, OTHER_READER, "First words", thread["message_id"])
        card = await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="First words")
        notice = await telegram.wait_for_bot_message(
            DISCUSSION_CHAT_ID, contains="waits for a moderator"
        )
        await telegram.wait_for(
            lambda: telegram.message(DISCUSSION_CHAT_ID, notice["message_id"]) is None
        )
        await press(telegram, MODERATOR_ID, card, Decision.APPROVE)
        published = await telegram.wait_for_bot_message(DISCUSSION_CHAT_ID, contains="First words")
        types_under(telegram, READER, "An answer to the first", published["message_id"])
        types_under(telegram, OTHER_READER, "Second words", thread["message_id"])
        answer_card = await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="An answer")
        await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="Second words")
        await press(telegram, MODERATOR_ID, answer_card, Decision.APPROVE)
        reply = await telegram.wait_for_bot_message(DISCUSSION_CHAT_ID, contains="An answer")
    assert reply["reply_to_message"]["message_id"] == published["message_id"]
    notices = [
        c
        for c in telegram.calls
        if c.method == "sendMessage" and "waits for a moderator" in str(c.params.get("text"))
    ]
    # One for OTHER_READER (the second comment came within ten minutes), one for READER.
    assert len(notices) == 2


async def test_moderators_stay_and_a_banned_author_is_removed_without_a_card(
    telegram: FakeTelegram, discussion_settings: Settings
) -> None:
    """A moderator's, an admin's and a group admin's words stay in the thread; an author
    banned from a card is banned from the group, and their words, should they come back,
    are deleted without a card or a word."""
    telegram.set_member_status(DISCUSSION_CHAT_ID, OUTSIDER_ID, "administrator")
    async with running_bot(discussion_settings):
        _, post = await post_article(telegram)
        thread = await thread_of(telegram, post)
        staying = [
            types_under(telegram, user_id, f"{user_id} speaks", thread["message_id"])
            for user_id in (MODERATOR_ID, ADMIN_ID, OUTSIDER_ID)
        ]
        types_under(telegram, READER, "Troll words", thread["message_id"])
        card = await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="Troll words")
        await press(telegram, MODERATOR_ID, card, Decision.BAN)
        # Banned from the group too, so they cannot keep posting there.
        await telegram.wait_for(
            lambda: telegram.chat_member_status(DISCUSSION_CHAT_ID, READER) == "kicked"
        )
        # Should they come back (an admin of the group let them in again), the bot's ban
        # still holds: what they type is deleted without a card or a word.
        telegram.set_member_status(DISCUSSION_CHAT_ID, READER, "member")
        again = types_under(telegram, READER, "Troll again", thread["message_id"])
        await telegram.wait_for(
            lambda: telegram.message(DISCUSSION_CHAT_ID, again["message_id"]) is None
        )
        # Cards go in order: one for a later comment shows none came for the banned one.
        types_under(telegram, OTHER_READER, "Honest words", thread["message_id"])
        await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="Honest words")
    assert not [
        m for m in telegram.bot_messages_in(MODERATION_CHAT_ID) if "Troll again" in m["text"]
    ]
    for message in staying:
        assert telegram.message(DISCUSSION_CHAT_ID, message["message_id"]) is not None
    assert [c for c in telegram.calls if c.method == "getChatMember" and c.status != 200] == []


async def test_a_photo_and_a_sticker_under_a_post_are_held_copied_and_published_signed(
    telegram: FakeTelegram, discussion_settings: Settings
) -> None:
    """Media is shown beside its card by its file_id and taken down at once; approved, a
    photo comes back with the signature as its caption, a sticker after a signed text, as
    a reply to it."""
    telegram.user_sends_text(READER, "/start")
    async with running_bot(discussion_settings):
        _, post = await post_article(telegram)
        thread = await thread_of(telegram, post)
        photo = telegram.user_sends_photo(
            READER,
            DISCUSSION_CHAT_ID,
            caption="Look at this",
            reply_to_message_id=thread["message_id"],
        )
        photo_card = await telegram.wait_for_bot_message(
            MODERATION_CHAT_ID, contains="Look at this"
        )
        assert "photo" in photo_card["text"]
        await telegram.wait_for(
            lambda: telegram.message(DISCUSSION_CHAT_ID, photo["message_id"]) is None
        )
        copies = await telegram.wait_for(
            lambda: [m for m in telegram.bot_messages_in(MODERATION_CHAT_ID) if "photo" in m]
        )
        assert [c["photo"] for c in copies] == [photo["photo"]]
        assert copies[0]["reply_to_message"]["message_id"] == photo_card["message_id"]
        sticker = telegram.user_sends_sticker(
            OTHER_READER, DISCUSSION_CHAT_ID, reply_to_message_id=thread["message_id"]
        )
        sticker_card = await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="sticker")
        await telegram.wait_for(
            lambda: telegram.message(DISCUSSION_CHAT_ID, sticker["message_id"]) is None
        )
        await press(telegram, MODERATOR_ID, photo_card, Decision.APPROVE)
        await press(telegram, MODERATOR_ID, sticker_card, Decision.APPROVE)

        def published(kind: str) -> Message | None:
            return next(
                (m for m in telegram.bot_messages_in(DISCUSSION_CHAT_ID) if kind in m), None
            )

        photo_post = await telegram.wait_for(lambda: published("photo"))
        sticker_post = await telegram.wait_for(lambda: published("sticker"))
    assert photo_post["photo"] == photo["photo"]
    assert photo_post["caption"].startswith("💬 Reader0")
    assert photo_post["caption"].endswith("Look at this")
    assert photo_post["reply_to_message"]["message_id"] == thread["message_id"]
    signature = sticker_post["reply_to_message"]
    assert signature["text"] == "💬 Reader1"
    stored_signature = telegram.message(DISCUSSION_CHAT_ID, signature["message_id"])
    assert stored_signature is not None
    assert stored_signature["reply_to_message"]["message_id"] == thread["message_id"]
    assert sticker_post["sticker"] == sticker["sticker"]


async def test_a_premium_readers_long_caption_is_published_whole(
    telegram: FakeTelegram, discussion_settings: Settings
) -> None:
    """A Premium reader's caption may run to 4096 characters, a bot's only to 1024
    (/work/shared/telegram/README.md): the card shows the whole caption, and on approval
    the signed text goes first and the photo after it, as a reply, so what the moderators
    approved is what appears."""
    telegram.add_user(PREMIUM_READER, "Pia", "Premium", "pia", is_premium=True)
    caption = " ".join(f"word{number}" for number in range(200))
    assert 1024 < len(caption) <= discussion_settings.comment_max_length
    async with running_bot(discussion_settings):
        _, post = await post_article(telegram)
        thread = await thread_of(telegram, post)
        photo = telegram.user_sends_photo(
            PREMIUM_READER, DISCUSSION_CHAT_ID, caption, reply_to_message_id=thread["message_id"]
        )
        card = await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="word0 ")
        assert caption in card["text"]
        await press(telegram, MODERATOR_ID, card, Decision.APPROVE)
        signed = await telegram.wait_for_bot_message(DISCUSSION_CHAT_ID, contains="word199")
        published = await telegram.wait_for(
            lambda: next(
                (m for m in telegram.bot_messages_in(DISCUSSION_CHAT_ID) if "photo" in m), None
            )
        )
    assert signed["text"] == f"💬 Pia Premium\n{caption}"
    assert signed["reply_to_message"]["message_id"] == thread["message_id"]
    assert published["photo"] == photo["photo"]
    assert published["reply_to_message"]["message_id"] == signed["message_id"]
    assert "caption" not in published


async def test_a_photo_comes_down_at_once_even_while_the_moderation_chat_must_wait(
    telegram: FakeTelegram, discussion_settings: Settings
) -> None:
    """The moderation chat's minute is spent (Telegram answers 429): the photo's copy for
    the moderators waits, but the original leaves the thread at once all the same."""
    telegram.fail_next(
        "sendPhoto",
        429,
        "Too Many Requests: retry after 30",
        chat_id=MODERATION_CHAT_ID,
        retry_after=30,
    )
    async with running_bot(discussion_settings):
        _, post = await post_article(telegram)
        thread = await thread_of(telegram, post)
        photo = telegram.user_sends_photo(
            READER, DISCUSSION_CHAT_ID, "Quick photo", reply_to_message_id=thread["message_id"]
        )
        await telegram.wait_for(
            lambda: [c for c in telegram.calls if c.method == "sendPhoto" and c.status == 429]
        )
        await telegram.wait_for(
            lambda: telegram.message(DISCUSSION_CHAT_ID, photo["message_id"]) is None
        )
        assert not [m for m in telegram.bot_messages_in(MODERATION_CHAT_ID) if "photo" in m]


async def test_without_the_delete_right_it_works_as_post_moderation_and_admins_are_told_once(
    telegram: FakeTelegram, discussion_settings: Settings
) -> None:
    """Comments still become cards, but stay in the thread, and their cards offer what
    post-moderation offers, saying why; the admins hear once, naming the right, however
    many comments follow. Kept, a comment is not posted twice; removed once the right is
    back, it comes down."""
    telegram.withhold_bot_right(DISCUSSION_CHAT_ID, "can_delete_messages")
    telegram.user_sends_text(READER, "/start")
    async with running_bot(discussion_settings):
        _, post = await post_article(telegram)
        thread = await thread_of(telegram, post)
        typed = [
            types_under(telegram, reader, f"Words of {reader}", thread["message_id"])
            for reader in (READER, OTHER_READER)
        ]
        cards = [
            await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains=f"Words of {reader}")
            for reader in (READER, OTHER_READER)
        ]
        told = await telegram.wait_for_bot_message(ADMIN_ID, contains="Delete messages")
        for card in cards:
            assert "lack the Delete messages right" in card["text"]
            assert "✅ Keep" in str(card["reply_markup"])
        # Kept, the comment that could not be taken down is not posted a second time.
        await press(telegram, MODERATOR_ID, cards[0], Decision.APPROVE)
        await telegram.wait_for_bot_message(READER, contains="stays up")
        telegram.grant_bot_right(DISCUSSION_CHAT_ID, "can_delete_messages")
        await press(telegram, MODERATOR_ID, cards[1], Decision.REJECT)
        await telegram.wait_for(
            lambda: telegram.message(DISCUSSION_CHAT_ID, typed[1]["message_id"]) is None
        )
    assert not [m for m in telegram.bot_messages_in(DISCUSSION_CHAT_ID) if "Words of" in m["text"]]
    assert str(DISCUSSION_CHAT_ID) in told["text"]
    assert (
        len([m for m in telegram.bot_messages_in(ADMIN_ID) if "Delete messages" in m["text"]]) == 1
    )
    assert telegram.message(DISCUSSION_CHAT_ID, typed[0]["message_id"]) is not None
    # Nobody was told their words were taken down: they were not.
    assert not [m for m in telegram.bot_messages_in(READER) if "taken down" in m["text"]]


async def test_held_even_when_telegram_cannot_say_who_wrote_and_whatever_it_is(
    telegram: FakeTelegram, discussion_settings: Settings
) -> None:
    """A comment whose author cannot be checked just now is held rather than let through;
    a location, which carries no caption, is held and published after a signed line."""
    async with running_bot(discussion_settings):
        _, post = await post_article(telegram)
        thread = await thread_of(telegram, post)
        telegram.fail_next("getChatMember", 502, "Bad Gateway", chat_id=MODERATION_CHAT_ID)
        unchecked = types_under(telegram, READER, "Unchecked words", thread["message_id"])
        await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="Unchecked words")
        await telegram.wait_for(
            lambda: telegram.message(DISCUSSION_CHAT_ID, unchecked["message_id"]) is None
        )
        place = telegram.user_sends_location(
            OTHER_READER, DISCUSSION_CHAT_ID, reply_to_message_id=thread["message_id"]
        )
        card = await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="location")
        await telegram.wait_for(
            lambda: telegram.message(DISCUSSION_CHAT_ID, place["message_id"]) is None
        )
        await press(telegram, MODERATOR_ID, card, Decision.APPROVE)
        published = await telegram.wait_for(
            lambda: next(
                (m for m in telegram.bot_messages_in(DISCUSSION_CHAT_ID) if "location" in m), None
            )
        )
    assert published["location"] == place["location"]
    assert published["reply_to_message"]["text"] == "💬 Reader1"


async def test_a_forward_that_arrives_before_its_post_is_recorded_still_opens_the_thread(
    telegram: FakeTelegram, discussion_settings: Settings
) -> None:
    """Telegram's automatic forward of the post reaches the bot, and is handled, before the
    answer to the post's sendMessage does (/work/shared/telegram/README.md: "Nothing orders
    a send's answer and the update it causes elsewhere"): it is kept, and linked once the
    post is recorded, so comments are published under it and cards name the article."""
    telegram.deliver_updates_before_answering("sendMessage", chat_id=CHANNEL_ID)
    async with running_bot(discussion_settings):
        _, post = await post_article(telegram)
        thread = await thread_of(telegram, post)
        card = await comment(telegram, READER, post, "Through the bot")
        await press(telegram, MODERATOR_ID, card, Decision.APPROVE)
        published = await telegram.wait_for_bot_message(
            DISCUSSION_CHAT_ID, contains="Through the bot"
        )
        types_under(telegram, OTHER_READER, "Typed under it", thread["message_id"])
        typed_card = await telegram.wait_for_bot_message(
            MODERATION_CHAT_ID, contains="Typed under it"
        )
    assert published["reply_to_message"]["message_id"] == thread["message_id"]
    assert "City budget passes" in typed_card["text"]
    assert "under no post of ours" not in typed_card["text"]


async def test_a_copy_of_another_channels_post_never_becomes_an_articles_thread(
    telegram: FakeTelegram, database_path: Path
) -> None:
    """The discussion group holds copies of another channel's posts (it was linked to that
    channel instead): a copy numbered as an article's coming post is neither kept for it nor
    taken for its thread, which would put approved comments under their post."""
    other_channel = -1009000000001
    populate(telegram, with_discussion=False)
    telegram.add_channel(other_channel, "Another blog", linked_chat_id=DISCUSSION_CHAT_ID)
    telegram.add_group(DISCUSSION_CHAT_ID, "Another blog chat", linked_channel_id=other_channel)
    settings = make_settings(
        database_path, telegram_api_url=telegram.base_url, discussion_chat_id=DISCUSSION_CHAT_ID
    )
    async with running_bot(settings):
        theirs = telegram.editor_posts_in_channel(other_channel, "Their news")
        # Handled, and confirmed, before the article is posted.
        await telegram.wait_for(lambda: telegram.pending_updates() == 0)
        article_id, post = await post_article(telegram)
    assert post["message_id"] == theirs["message_id"]
    async with (
        aiosqlite.connect(settings.database_path) as conn,
        conn.execute(
            "SELECT discussion_message_id FROM articles WHERE id = ?", (article_id,)
        ) as cursor,
    ):
        assert [tuple(row) for row in await cursor.fetchall()] == [(None,)]


async def test_a_reply_to_a_comment_deleted_meanwhile_answers_the_post(
    telegram: FakeTelegram, discussion_settings: Settings
) -> None:
    async with running_bot(discussion_settings):
        _, post = await post_article(telegram)
        thread = await thread_of(telegram, post)
        types_under(telegram, READER, "First comment", thread["message_id"])
        card = await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="First comment")
        await press(telegram, MODERATOR_ID, card, Decision.APPROVE)
        first = await telegram.wait_for_bot_message(DISCUSSION_CHAT_ID, contains="First comment")
        types_under(telegram, OTHER_READER, "An answer", first["message_id"])
        answer_card = await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="An answer")
        # A group admin removes the first comment before the answer is approved.
        telegram.user_deletes_message(DISCUSSION_CHAT_ID, first["message_id"])
        telegram.expect_bad_request("message to be replied not found")
        await press(telegram, MODERATOR_ID, answer_card, Decision.APPROVE)
        answer = await telegram.wait_for_bot_message(DISCUSSION_CHAT_ID, contains="An answer")
    assert answer["reply_to_message"]["message_id"] == thread["message_id"]


async def test_a_comment_sent_as_another_channel_is_held_with_that_channel_as_author(
    telegram: FakeTelegram, discussion_settings: Settings
) -> None:
    """ "Send as" a reader's own channel is no way around moderation: the channel is the
    author, told in the thread, and a ban bans the channel from the group. The blog's own
    channel writing in its group is left alone."""
    other_channel = -1009000000001
    telegram.add_channel(other_channel, "Troll Weekly", username="troll_weekly")
    async with running_bot(discussion_settings):
        _, post = await post_article(telegram)
        thread = await thread_of(telegram, post)
        own = telegram.channel_sends_text(
            CHANNEL_ID, "From the newsroom", DISCUSSION_CHAT_ID, thread["message_id"]
        )
        sent = telegram.channel_sends_text(
            other_channel, "Sent as a channel", DISCUSSION_CHAT_ID, thread["message_id"]
        )
        card = await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="Sent as a channel")
        assert "Troll Weekly" in card["text"]
        await telegram.wait_for(
            lambda: telegram.message(DISCUSSION_CHAT_ID, sent["message_id"]) is None
        )
        await telegram.wait_for_bot_message(DISCUSSION_CHAT_ID, contains="Troll Weekly")
        await press(telegram, MODERATOR_ID, card, Decision.BAN)
        await telegram.wait_for(
            lambda: telegram.sender_chat_is_banned(DISCUSSION_CHAT_ID, other_channel)
        )
    assert telegram.message(DISCUSSION_CHAT_ID, own["message_id"]) is not None


async def test_a_message_outside_any_thread_is_held_and_published_back_in_the_group(
    telegram: FakeTelegram, discussion_settings: Settings
) -> None:
    telegram.user_sends_text(READER, "/start")
    async with running_bot(discussion_settings):
        await post_article(telegram)
        loose = telegram.user_sends_text(READER, "Hello group", chat_id=DISCUSSION_CHAT_ID)
        card = await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="Hello group")
        assert "under no post of ours" in card["text"]
        await telegram.wait_for(
            lambda: telegram.message(DISCUSSION_CHAT_ID, loose["message_id"]) is None
        )
        await press(telegram, MODERATOR_ID, card, Decision.APPROVE)
        published = await telegram.wait_for_bot_message(DISCUSSION_CHAT_ID, contains="Hello group")
        await telegram.wait_for_bot_message(READER, contains="was published")
    assert "reply_to_message" not in published


async def test_unpublishing_a_thread_post_too_old_to_delete_edits_it(
    telegram: FakeTelegram, database_path: Path
) -> None:
    """Telegram lets bots delete messages only within 48 hours: an older thread post of a
    trusted author's comment is edited to say the moderators removed it, and the card says
    so."""
    populate(telegram, with_discussion=True)
    settings = make_settings(
        database_path,
        telegram_api_url=telegram.base_url,
        discussion_chat_id=DISCUSSION_CHAT_ID,
        trusted_auto_approve=1,
    )
    telegram.expect_bad_request("can't be deleted")
    async with running_bot(settings):
        _, post = await post_article(telegram)
        in_thread, card = await trusted_comment_in_thread(
            telegram, READER, post, "Straight through"
        )
        telegram.age_message(DISCUSSION_CHAT_ID, in_thread["message_id"], hours=49)
        await press(telegram, MODERATOR_ID, card, Decision.UNPUBLISH)

        def card_says_edited() -> Message | None:
            current = telegram.message(MODERATION_CHAT_ID, card["message_id"])
            return current if current and "too old to delete" in current["text"] else None

        undone = await telegram.wait_for(card_says_edited)
    assert "Unpublished by Mo Derator" in undone["text"]
    edited = telegram.message(DISCUSSION_CHAT_ID, in_thread["message_id"])
    assert edited is not None
    assert edited["text"] == "🗑 This comment was removed by the moderators."
    assert "Straight through" not in str(edited)


async def test_a_thread_post_refused_for_good_is_named_on_the_card(
    telegram: FakeTelegram, discussion_settings: Settings
) -> None:
    """The bot was removed from the discussion group: approving a comment cannot publish
    it there; the admins hear why, the card says so, and the author is not told it was
    published."""
    async with running_bot(discussion_settings):
        _, post = await post_article(telegram)
        await thread_of(telegram, post)
        card = await comment(telegram, READER, post, "Never to be seen")
        telegram.remove_bot_from(DISCUSSION_CHAT_ID)
        await press(telegram, MODERATOR_ID, card, Decision.APPROVE)
        told = await telegram.wait_for_bot_message(ADMIN_ID, contains="#1")

        def card_says_refused() -> Message | None:
            current = telegram.message(MODERATION_CHAT_ID, card["message_id"])
            return current if current and "Not published" in current["text"] else None

        refused = await telegram.wait_for(card_says_refused)
    assert "✅ Approved by Mo Derator" in refused["text"]
    assert "could not be published in the discussion group" in told["text"]
    assert not [m for m in telegram.bot_messages_in(READER) if "was published" in m["text"]]
