"""🧹 Spam and the other verdicts: what each decides, bans, sweeps and teaches the spam check."""

from __future__ import annotations

from pathlib import Path

from bot.services import comments, moderation, thread_comments
from bot.services.moderation import DecisionResult
from bot.services.thread_comments import ThreadComment
from bot.services.verdicts import Decision
from bot.settings import Settings, ThreadModeration
from bot.spam.checker import Thresholds, Verdict
from bot.spam.filter import SpamFilter
from storage.db import Database
from storage.models import Person
from storage.thread_sources import ThreadSource
from tests.bot.services.test_comments import published_article, rows
from tests.factories import DISCUSSION_CHAT_ID, MODERATOR, READER, make_settings

THREAD = 500
SPAMMER = Person(4343, "Lucky", "Gnome")


def post_moderated(database_path: Path) -> Settings:
    return make_settings(
        database_path,
        discussion_chat_id=DISCUSSION_CHAT_ID,
        thread_moderation=ThreadModeration.POST,
        flood_min_interval_seconds=1.0,
    )


async def left_up(db: Database, settings: Settings, author: Person, text: str, at: float) -> int:
    """A comment typed under a post, left up in the group while it waits (post-moderation)."""
    source = ThreadSource(DISCUSSION_CHAT_ID, int(at * 10), THREAD)
    outcome = await thread_comments.hold_for_moderation(
        db, settings, ThreadComment(author, THREAD, text, source, at)
    )
    assert outcome.submission_id is not None
    return outcome.submission_id


async def learned(db: Database) -> list[tuple[object, ...]]:
    return await rows(
        db, "SELECT label, text FROM spam_examples WHERE source = 'moderator' ORDER BY id"
    )


async def test_spam_takes_a_newcomers_comment_down_bans_them_sweeps_and_learns(
    db: Database, database_path: Path
) -> None:
    """🧹 on one of a newcomer's comments left up: rejected as spam, both taken down from
    the thread, the author banned there, and the text learned as spam."""
    settings = post_moderated(database_path)
    spam_filter = await SpamFilter.open(db, Thresholds())
    first = await left_up(db, settings, SPAMMER, "Gnome statues half price, DM me", 2.0)
    await left_up(db, settings, SPAMMER, "Cheap gnomes, write me now", 5.0)
    outcome = await moderation.decide(
        db, settings, first, Decision.SPAM, MODERATOR, 9.0, spam_filter=spam_filter
    )
    assert outcome.result is DecisionResult.APPLIED
    assert await rows(
        db, "SELECT status, marked_spam, author_banned, decided_by FROM submissions ORDER BY id"
    ) == [
        ("rejected", 1, 1, MODERATOR.user_id),
        ("rejected", 0, 1, MODERATOR.user_id),
    ]
    assert await rows(db, "SELECT user_id FROM bans WHERE lifted_at IS NULL") == [
        (SPAMMER.user_id,)
    ]
    assert await rows(
        db,
        "SELECT json_extract(payload, '$.message_id') FROM outbox"
        " WHERE action = 'delete_group_message' ORDER BY 1",
    ) == [(20,), (50,)]
    assert await rows(
        db, "SELECT json_extract(payload, '$.user_id') FROM outbox WHERE action = 'ban_in_group'"
    ) == [(SPAMMER.user_id,)]
    assert await learned(db) == [("spam", "Gnome statues half price, DM me")]


async def test_spam_spares_an_author_with_an_approved_comment_from_the_ban(
    db: Database, database_path: Path
) -> None:
    """A reader with an approved comment is not banned by 🧹; their text is still learned."""
    settings = post_moderated(database_path)
    spam_filter = await SpamFilter.open(db, Thresholds())
    kept = await left_up(db, settings, READER, "Thoughtful words on the budget", 2.0)
    await moderation.decide(
        db, settings, kept, Decision.APPROVE, MODERATOR, 3.0, spam_filter=spam_filter
    )
    slipped = await left_up(db, settings, READER, "Buy followers at follow-shop", 5.0)
    await moderation.decide(
        db, settings, slipped, Decision.SPAM, MODERATOR, 6.0, spam_filter=spam_filter
    )
    assert await rows(db, "SELECT status, marked_spam, author_banned FROM submissions") == [
        ("approved", 0, 0),
        ("rejected", 1, 0),
    ]
    assert await rows(db, "SELECT COUNT(*) FROM bans") == [(0,)]
    assert await rows(db, "SELECT COUNT(*) FROM outbox WHERE action = 'ban_in_group'") == [(0,)]
    assert await learned(db) == [
        ("ham", "Thoughtful words on the budget"),
        ("spam", "Buy followers at follow-shop"),
    ]


async def test_reject_and_ban_teach_nothing_and_approval_teaches_ham(
    db: Database, settings: Settings
) -> None:
    """❌ Reject and 🚫 Ban author leave the spam check as it was; ✅ Approve teaches ham."""
    spam_filter = await SpamFilter.open(db, Thresholds())
    article = await published_article(db)
    decided = []
    for number, (text, decision) in enumerate(
        [("Off topic", Decision.REJECT), ("Rude", Decision.BAN), ("Fine piece", Decision.APPROVE)]
    ):
        author = Person(5000 + number, f"Reader {number}")
        await comments.open_article(db, author, article.id, 2.0)
        outcome = await comments.submit_comment(db, settings, author, text, 3.0)
        assert outcome.submission_id is not None
        decided.append(
            await moderation.decide(
                db,
                settings,
                outcome.submission_id,
                decision,
                MODERATOR,
                4.0,
                spam_filter=spam_filter,
            )
        )
    assert [d.result for d in decided] == [DecisionResult.APPLIED] * 3
    assert await learned(db) == [("ham", "Fine piece")]


async def test_three_marks_teach_a_new_kind_of_spam(db: Database, database_path: Path) -> None:
    """A kind of spam the starter set does not know is spam once moderators mark 3 of it."""
    settings = post_moderated(database_path)
    spam_filter = await SpamFilter.open(db, Thresholds())
    probe = "Visit gnomeparadise shop: grandma's secret garden gnome statues at half price"
    assert spam_filter.check(probe).verdict is not Verdict.SPAM
    marks = [
        "Grandma's secret garden gnome statues half price, visit gnomeparadise shop today",
        "Secret garden gnome statues from grandma, half price at gnomeparadise shop this week",
        "Half price garden gnome statues! Grandma's secret, gnomeparadise shop, visit now",
    ]
    for number, text in enumerate(marks):
        spammer = Person(6000 + number, f"Gnome {number}")
        item = await left_up(db, settings, spammer, text, 2.0 + number)
        await moderation.decide(
            db, settings, item, Decision.SPAM, MODERATOR, 9.0, spam_filter=spam_filter
        )
    assert spam_filter.check(probe).verdict is Verdict.SPAM


WAVE = [
    "Earn 500$ a day from home with crypto signals, write to @rich_fast_bot now!",
    "Earn 500$ a day from home with crypto signals, write to @rich_fast_bot now!!",
    "earn 500$ a day from home with crypto signals 🚀 write to @rich_fast_bot now",
    "Earn 700$ a day from home with crypto signals, write to @rich_fast_bot now!",
    "Earn 500$ a day from home with crypto signals, write to @rich_fast_bot today!",
]


async def test_spam_on_one_copy_of_a_wave_settles_every_pending_copy(
    db: Database, database_path: Path
) -> None:
    """5 near-identical comments from 5 authors and 1 genuine one wait: 🧹 on one settles
    the 5 as spam (each taken down, its newcomer author banned, the text learned once), and
    the genuine one still waits."""
    settings = post_moderated(database_path)
    spam_filter = await SpamFilter.open(db, Thresholds())
    regular = Person(7004, "Regular")
    earlier = await left_up(db, settings, regular, "Good reporting on the harbour works", 1.0)
    await moderation.decide(
        db, settings, earlier, Decision.APPROVE, MODERATOR, 1.5, spam_filter=spam_filter
    )
    authors = [Person(7000 + number, f"Wave {number}") for number in range(4)] + [regular]
    wave = [
        await left_up(db, settings, author, text, 2.0 + number)
        for number, (author, text) in enumerate(zip(authors, WAVE, strict=True))
    ]
    genuine = await left_up(
        db, settings, READER, "The harbour works will close the ferry for a month", 8.0
    )
    outcome = await moderation.decide(
        db, settings, wave[2], Decision.SPAM, MODERATOR, 9.0, spam_filter=spam_filter
    )
    assert outcome.result is DecisionResult.APPLIED
    assert outcome.copies == 4
    assert await rows(
        db,
        "SELECT id, status, marked_spam, author_banned FROM submissions WHERE id != ?",
        (earlier,),
    ) == [(item, "rejected", 1, int(item != wave[4])) for item in wave] + [
        (genuine, "pending", 0, 0)
    ]
    assert await rows(db, "SELECT user_id FROM bans ORDER BY user_id") == [
        (author.user_id,) for author in authors[:4]
    ]
    assert await rows(db, "SELECT COUNT(*) FROM outbox WHERE action = 'delete_group_message'") == [
        (5,)
    ]
    assert await learned(db) == [
        ("ham", "Good reporting on the harbour works"),
        ("spam", WAVE[2]),
    ]


async def test_a_wave_copy_by_the_same_newcomer_is_marked_spam_not_swept(
    db: Database, database_path: Path
) -> None:
    """Two near-identical comments of one newcomer, sent through the bot: 🧹 on one settles
    the other as a copy of the wave (marked spam, counted), before the ban sweeps what the
    author has waiting; the author is banned once, from the tapped card."""
    settings = post_moderated(database_path)
    spam_filter = await SpamFilter.open(db, Thresholds())
    article = await published_article(db)
    sent = []
    for number, text in enumerate(WAVE[:2]):
        await comments.open_article(db, SPAMMER, article.id, 10.0 * number + 1)
        outcome = await comments.submit_comment(db, settings, SPAMMER, text, 10.0 * number + 2)
        assert outcome.submission_id is not None
        sent.append(outcome.submission_id)
    decided = await moderation.decide(
        db, settings, sent[0], Decision.SPAM, MODERATOR, 30.0, spam_filter=spam_filter
    )
    assert decided.copies == 1
    assert await rows(
        db, "SELECT id, status, marked_spam, author_banned, swept_with_ban FROM submissions"
    ) == [(item, "rejected", 1, 1, 0) for item in sent]
    banned = await rows(db, "SELECT user_id, reason_submission_id FROM bans")
    assert banned == [(SPAMMER.user_id, sent[0])]
    assert await rows(db, "SELECT COUNT(*) FROM outbox WHERE action = 'ban_in_group'") == [(1,)]
    logged = await rows(db, "SELECT action, submission_id FROM moderation_log ORDER BY id")
    assert logged == [("spam", sent[0]), ("ban", sent[0]), ("spam", sent[1])]
