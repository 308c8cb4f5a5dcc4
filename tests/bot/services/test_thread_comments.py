"""Comments typed in the discussion group, held for moderation: what is stored and queued."""

from __future__ import annotations

import dataclasses

from bot.services import articles, moderation, thread_comments
from bot.services.thread_comments import ThreadComment, ThreadResult
from bot.services.verdicts import Decision
from bot.settings import Settings, ThreadModeration
from storage.db import Database
from storage.models import Person
from storage.thread_sources import ThreadSource
from tests.bot.services.test_comments import published_article, rows
from tests.factories import DISCUSSION_CHAT_ID, MODERATOR, READER

OTHER_READER = Person(4242, "Other")

THREAD = 500


def typed(text: str, message_id: int, now: float, thread: int = THREAD) -> ThreadComment:
    return ThreadComment(
        READER, thread, text, ThreadSource(DISCUSSION_CHAT_ID, message_id, thread), now
    )


async def queued(db: Database) -> list[tuple[object, ...]]:
    return await rows(
        db,
        "SELECT action, chat_key, json_extract(payload, '$.message_id'),"
        " json_extract(payload, '$.notice') FROM outbox ORDER BY id",
    )


async def test_a_typed_comment_is_stored_carded_deleted_and_its_author_told_once(
    db: Database, settings: Settings
) -> None:
    article = await published_article(db)
    await articles.link_discussion_copy(db, article.channel_message_id or 0, THREAD, 1.5)
    outcome = await thread_comments.hold_for_moderation(db, settings, typed(" Hi ", 77, 2.0))
    assert outcome.result is ThreadResult.HELD
    assert await rows(db, "SELECT text, article_id, thread_source_message_id FROM submissions") == [
        ("Hi", article.id, 77)
    ]
    assert await queued(db) == [
        ("send_card", str(settings.moderation_chat_id), None, None),
        ("delete_group_message", str(DISCUSSION_CHAT_ID), 77, None),
        ("thread_author_notice", str(READER.user_id), None, "held"),
    ]
    # The same update again (after a crash): found, nothing queued twice.
    again = await thread_comments.hold_for_moderation(db, settings, typed(" Hi ", 77, 2.5))
    assert (again.result, again.submission_id) == (
        ThreadResult.ALREADY_STORED,
        outcome.submission_id,
    )
    assert len(await queued(db)) == 3


async def test_flood_is_removed_with_a_word_and_a_ban_silently(
    db: Database, settings: Settings
) -> None:
    settings = settings.model_copy(update={"flood_min_interval_seconds": 15.0})
    article = await published_article(db)
    await articles.link_discussion_copy(db, article.channel_message_id or 0, THREAD, 1.5)
    first = await thread_comments.hold_for_moderation(db, settings, typed("One", 1, 2.0))
    assert first.result is ThreadResult.HELD
    flood = await thread_comments.hold_for_moderation(db, settings, typed("Two", 2, 3.0))
    assert flood.result is ThreadResult.REMOVED
    assert first.submission_id is not None
    await moderation.decide(db, settings, first.submission_id, Decision.BAN, MODERATOR, 4.0)
    banned = await thread_comments.hold_for_moderation(db, settings, typed("Three", 3, 100.0))
    assert banned.result is ThreadResult.REMOVED
    actions = [
        row
        for row in await queued(db)
        if row[0] in {"delete_group_message", "thread_author_notice"}
    ]
    assert actions == [
        ("delete_group_message", str(DISCUSSION_CHAT_ID), 1, None),
        ("thread_author_notice", str(READER.user_id), None, "held"),
        ("delete_group_message", str(DISCUSSION_CHAT_ID), 2, None),
        ("thread_author_notice", str(READER.user_id), None, "flood"),
        ("delete_group_message", str(DISCUSSION_CHAT_ID), 3, None),
    ]
    assert await rows(db, "SELECT COUNT(*) FROM submissions") == [(1,)]
    # The refused comment's words go back to its author, since they are gone from the thread.
    assert await rows(
        db,
        "SELECT json_extract(payload, '$.text') FROM outbox WHERE action = 'thread_author_notice'",
    ) == [(None,), ("Two",)]
    # An album's pictures arrive together: the rest of one whose first was taken are not
    # refused as a flood.
    album = ThreadSource(DISCUSSION_CHAT_ID, 4, THREAD, "photo", media_group_id="A1")
    first_picture = await thread_comments.hold_for_moderation(
        db, settings, ThreadComment(OTHER_READER, THREAD, "", album, 200.0)
    )
    second = ThreadSource(DISCUSSION_CHAT_ID, 5, THREAD, "photo", media_group_id="A1")
    second_picture = await thread_comments.hold_for_moderation(
        db, settings, ThreadComment(OTHER_READER, THREAD, "", second, 200.1)
    )
    assert (first_picture.result, second_picture.result) == (ThreadResult.HELD, ThreadResult.HELD)


async def test_a_comment_under_no_post_of_ours_is_held_about_no_article(
    db: Database, settings: Settings
) -> None:
    """Typed outside any thread, or under a post the bot did not make: held all the same."""
    outside = await thread_comments.hold_for_moderation(
        db,
        settings,
        ThreadComment(READER, None, "Off topic", ThreadSource(DISCUSSION_CHAT_ID, 5, None), 2.0),
    )
    unknown = await thread_comments.hold_for_moderation(db, settings, typed("Hi", 6, 3.0, 999))
    assert (outside.result, unknown.result) == (ThreadResult.HELD, ThreadResult.HELD)
    assert await rows(db, "SELECT text, article_id FROM submissions ORDER BY id") == [
        ("Off topic", None),
        ("Hi", None),
    ]


async def test_media_is_copied_first_and_deleted_after_its_copy(
    db: Database, settings: Settings
) -> None:
    """A sticker without its file_id becomes a card and a copy beside it; its deletion
    follows the copy. With its file_id the deletion is queued at once."""
    article = await published_article(db)
    await articles.link_discussion_copy(db, article.channel_message_id or 0, THREAD, 1.5)
    source = ThreadSource(DISCUSSION_CHAT_ID, 10, THREAD, "sticker")
    outcome = await thread_comments.hold_for_moderation(
        db, settings, ThreadComment(READER, THREAD, "", source, 2.0)
    )
    assert outcome.result is ThreadResult.HELD
    assert [row[:3] for row in await queued(db)] == [
        ("send_card", str(settings.moderation_chat_id), None),
        ("copy_to_moderation", str(settings.moderation_chat_id), 10),
        ("thread_author_notice", str(READER.user_id), None),
    ]
    assert await rows(db, "SELECT text, media_kind FROM submissions") == [("", "sticker")]
    with_file = ThreadSource(DISCUSSION_CHAT_ID, 11, THREAD, "sticker", file_id="CAAC-1")
    await thread_comments.hold_for_moderation(
        db, settings, ThreadComment(OTHER_READER, THREAD, "", with_file, 3.0)
    )
    assert [row[:3] for row in (await queued(db))[3:6]] == [
        ("send_card", str(settings.moderation_chat_id), None),
        ("copy_to_moderation", str(settings.moderation_chat_id), 11),
        ("delete_group_message", str(DISCUSSION_CHAT_ID), 11),
    ]


def edited(text: str, message_id: int, edit_date: int, kind: str | None = None) -> ThreadComment:
    source = ThreadSource(DISCUSSION_CHAT_ID, message_id, THREAD, kind, edit_date)
    return ThreadComment(READER, THREAD, text, source, float(edit_date))


async def test_edits_of_a_comment_left_up(db: Database, settings: Settings) -> None:
    """Post-moderation: an edit of a waiting comment replaces its words; spacing, a live
    location's move or an older edit change nothing; an edit of a kept one is its next
    revision, carded even when it repeats the author's own words; one of a comment on its
    way down is ignored."""
    settings = settings.model_copy(
        update={"thread_moderation": ThreadModeration.POST, "flood_min_interval_seconds": 60.0}
    )
    first = await thread_comments.hold_for_moderation(db, settings, typed("Draft", 20, 2.0))
    assert first.result is ThreadResult.WATCHED
    shown = await thread_comments.hold_for_moderation(db, settings, edited("Final words", 20, 5))
    assert shown.result is ThreadResult.EDIT_SHOWN
    for ignored in (edited(" Final   words ", 20, 6), edited("Older edit", 20, 4)):
        outcome = await thread_comments.hold_for_moderation(db, settings, ignored)
        assert outcome.result in {ThreadResult.EDIT_IGNORED, ThreadResult.ALREADY_STORED}
    assert await rows(db, "SELECT text FROM submissions") == [("Final words",)]
    assert first.submission_id is not None
    await moderation.decide(db, settings, first.submission_id, Decision.APPROVE, MODERATOR, 7.0)
    # Within the flood interval and repeating words the author wrote before: carded all
    # the same, since it is the moderators' to judge again.
    again = await thread_comments.hold_for_moderation(db, settings, edited("Draft", 20, 8))
    assert again.result is ThreadResult.WATCHED
    assert await rows(
        db, "SELECT text, thread_source_revision, status FROM submissions ORDER BY id"
    ) == [("Final words", 0, "approved"), ("Draft", 1, "pending")]
    assert again.submission_id is not None
    await moderation.decide(db, settings, again.submission_id, Decision.REJECT, MODERATOR, 9.0)
    late = await thread_comments.hold_for_moderation(db, settings, edited("Sneaky", 20, 10))
    assert late.result is ThreadResult.EDIT_IGNORED
    location = ThreadSource(DISCUSSION_CHAT_ID, 21, THREAD, "location")
    located = await thread_comments.hold_for_moderation(
        db, settings, ThreadComment(OTHER_READER, THREAD, "", location, 11.0)
    )
    moved = await thread_comments.hold_for_moderation(
        db,
        settings,
        ThreadComment(OTHER_READER, THREAD, "", dataclasses.replace(location, edit_date=12), 12.0),
    )
    assert (located.result, moved.result) == (ThreadResult.WATCHED, ThreadResult.EDIT_IGNORED)


async def test_without_the_delete_right_nothing_is_refused_in_words_it_cannot_keep(
    db: Database, settings: Settings
) -> None:
    """The bot cannot take a message down: a comment flood control would refuse is carded
    instead, and nobody is told it was removed; the admins hear once which right to grant."""
    settings = settings.model_copy(update={"flood_min_interval_seconds": 60.0})
    outcomes = [
        await thread_comments.hold_for_moderation(
            db,
            settings,
            dataclasses.replace(typed(f"Words {n}", 30 + n, 2.0 + n), bot_may_delete=False),
        )
        for n in range(2)
    ]
    assert [o.result for o in outcomes] == [ThreadResult.WATCHED, ThreadResult.WATCHED]
    actions = [row[0] for row in await queued(db)]
    assert actions.count("send_card") == 2
    assert "delete_group_message" not in actions
    assert "thread_author_notice" not in actions
    assert actions.count("admin_notice") == len(settings.admin_ids)
    assert await rows(db, "SELECT DISTINCT original_kept, removal_refused FROM submissions") == [
        (1, "no_right")
    ]
