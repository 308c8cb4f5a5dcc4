"""Readers own their words (issue 23): /forget, an admin's /forget USER, and retention.

A forgotten reader's pending items are withdrawn, their words and names erased, their
published comments taken down or left up signed "a former reader" (their choice), and
their profile, language and choices dropped; all in one transaction, with what Telegram
must be told going out through the outbox. What the moderators' record needs stays
without their words: the moderation record (which never held any), decisions' who and
when, and a ban (its term and the moderator's reason; a ban is the moderators' decision,
and erasure does not lift it).

Ordering: the outbox delivers one chat's rows in order, and the thread's changes are
rendered from the database when delivered. A comment's thread post in flight when its
author is forgotten is recorded before the take-down (or re-signing) that follows it in
the same chat is delivered, which reads where the post is only then.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

import aiosqlite

from bot.services import desk, effects, group_effects, private_desk
from bot.services.effects import Effect
from bot.services.periodic import Periodic
from bot.settings import Settings
from bot.spam.filter import STARTER, text_key
from storage import corrections, erasure, moderation_log, outbox, readers, submissions
from storage.db import Database, fetch_all
from storage.models import LoggedAction, Person, Submission, SubmissionStatus

logger = logging.getLogger(__name__)


class Published(StrEnum):
    """What a forgotten reader's published comments become."""

    TAKE_DOWN = "down"
    KEEP_ANONYMOUS = "keep"


@dataclass(frozen=True)
class Forgotten:
    # Pending items withdrawn.
    withdrawn: int = 0
    # Published comments taken down, or left up signed "a former reader".
    taken_down: int = 0
    kept: int = 0
    # Of those left up, messages the reader typed in the thread themselves: the bot cannot
    # sign them anew, only delete them, so they stay under the reader's own account.
    own_messages_kept: int = 0
    # Items (comments, contact messages) whose words were erased.
    erased: int = 0


@dataclass(frozen=True)
class _Item:
    submission: Submission
    withdrawn: bool = False
    taken_down: bool = False
    kept: bool = False


async def forget_reader(
    db: Database,
    settings: Settings,
    user_id: int,
    published: Published,
    former_name: str,
    now: float,
    *,
    by: Person | None = None,
    after_restore: bool = False,
) -> Forgotten:
    """Forget `user_id`, at their own request (`by` None) or an admin's, or again on a
    database restored from a backup taken before (`after_restore`: `python -m bot
    forget-again`). `former_name` is what their items are signed with from now on.
    Running it again finds less to do and does it: nothing is left half done."""
    async with db.transaction() as conn:
        forgotten = await _forget(conn, settings, user_id, published, former_name, now)
        await erasure.add_forgotten(conn, user_id, published.value, now)
        detail: dict[str, object] = {"published": published.value}
        if after_restore:
            detail["after_restore"] = True
        else:
            detail["by_the_reader"] = by is None
        await moderation_log.append(
            conn, LoggedAction.FORGET, now, moderator=by, author_id=user_id, detail=detail
        )
    await db.clear_erased_pages()
    return forgotten


async def _forget(
    conn: aiosqlite.Connection,
    settings: Settings,
    user_id: int,
    published: Published,
    former_name: str,
    now: float,
) -> Forgotten:
    everything = await erasure.submission_ids_of(conn, user_id)
    before = {i: s for i in everything if (s := await submissions.get(conn, i)) is not None}
    # Asked again: what an earlier /forget settled is left as it is (its cards show it
    # already), but comments left up then are taken down if asked now.
    ids = [
        i
        for i, s in before.items()
        if not s.author_forgotten
        or (published is Published.TAKE_DOWN and s.status is SubmissionStatus.APPROVED)
    ]
    profile = await readers.find(conn, user_id)
    words = await erasure.reader_words(conn, everything)
    names = [] if profile is None else _names(profile)
    withdrawn = set(await erasure.withdraw_pending(conn, ids))
    on_view = await erasure.published_ids(conn, ids)
    if published is Published.TAKE_DOWN:
        taken_down, kept = set(await erasure.take_down_published(conn, ids)), set[int]()
    else:
        taken_down, kept = set(), set(on_view)
    erased = [i for i in ids if i not in kept]
    items = [_Item(before[i], i in withdrawn, i in taken_down, i in kept) for i in ids]
    # The spam check's examples learned from their words (an approval taught "ham", 🧹 Spam
    # "spam"): the texts go; what the model learned from them is token hashes and counts,
    # no words, and stays until the model is rebuilt from the examples left.
    await erasure.forget_examples(conn, {text_key(w) for w in words}, STARTER)
    await erasure.sign_as(conn, ids, former_name)
    await erasure.sign_answers_as(conn, ids, former_name)
    moderation_messages = await _moderation_chat_copies(conn, settings, erased)
    await erasure.erase_words(conn, erased, now)
    # Before the effects below are queued: rows addressed to the reader go, the rest lose
    # the reader's words.
    needles = [*words, *names]
    await erasure.scrub_outbox(conn, user_id, needles)
    await erasure.scrub_held_updates(conn, user_id)
    await erasure.forget_profile(conn, user_id)
    for item in items:
        await _tell_telegram(conn, settings, item, now)
    await outbox.enqueue_all(
        conn,
        [
            group_effects.delete_group_message_row(chat_id, message_id)
            for chat_id, message_id in moderation_messages
        ],
        now,
    )
    await desk.refresh_if_open(conn, settings, now)
    return Forgotten(
        withdrawn=len(withdrawn),
        taken_down=len(taken_down),
        kept=len(kept),
        own_messages_kept=sum(1 for item in items if item.kept and item.submission.original_kept),
        erased=len([i for i in erased if before[i].erased_at is None]),
    )


def _names(profile: Person) -> list[str]:
    return [
        part
        for part in (profile.first_name, profile.last_name, profile.username)
        if part and part.strip()
    ] + ([profile.display_name] if profile.first_name else [])


async def _moderation_chat_copies(
    conn: aiosqlite.Connection, settings: Settings, submission_ids: list[int]
) -> list[tuple[int, int]]:
    """The bot's messages in the moderation chat that carry the items' words besides their
    cards (which are edited): a long text's continuations, a media comment's copy, the
    reader's answers delivered under a contact card and the editors' answers' copies there."""
    if not submission_ids:
        return []
    ids = erasure.ids_parameter(submission_ids)
    rows = await fetch_all(
        conn,
        "SELECT chat_id, message_id FROM moderation_cards WHERE role = 'continuation'"
        " AND submission_id IN (SELECT value FROM json_each(?))"
        " UNION SELECT ?, moderation_copy_message_id FROM submissions"
        " WHERE moderation_copy_message_id IS NOT NULL AND id IN (SELECT value FROM json_each(?))"
        " UNION SELECT delivered_chat_id, delivered_message_id FROM contact_replies"
        " WHERE direction = 'to_editors' AND delivered_message_id IS NOT NULL"
        " AND submission_id IN (SELECT value FROM json_each(?))"
        " UNION SELECT group_copy_chat_id, group_copy_message_id FROM contact_replies"
        " WHERE group_copy_message_id IS NOT NULL"
        " AND submission_id IN (SELECT value FROM json_each(?))",
        (ids, settings.moderation_chat_id, ids, ids, ids),
    )
    await conn.execute(
        "DELETE FROM moderation_cards WHERE role = 'continuation'"
        " AND submission_id IN (SELECT value FROM json_each(?))",
        (ids,),
    )
    return [(int(row[0]), int(row[1])) for row in rows]


async def _tell_telegram(
    conn: aiosqlite.Connection, settings: Settings, item: _Item, now: float
) -> None:
    """What the chats must show of one item now: its cards and desks, and the thread."""
    submission = item.submission
    if item.withdrawn:
        await corrections.close_request(conn, submission.id, None)
        await private_desk.item_withdrawn(conn, settings, submission.id, now)
        # Left up in the thread while it waited (post-moderation): it comes down.
        await group_effects.remove_from_group(conn, submission, now, tell_author=False)
    if item.taken_down or (item.kept and not submission.original_kept):
        if settings.discussion_chat_id is not None:
            await outbox.enqueue(
                conn,
                Effect.FORGOTTEN_THREAD_POST,
                str(settings.discussion_chat_id),
                {"submission_id": submission.id, "sign": item.kept},
                now,
            )
        elif item.taken_down and submission.article_id is not None:
            await effects.retract_comment(conn, settings, submission.article_id, submission.id, now)
    await effects.refresh_cards(conn, settings, submission.id, now)


# Retention erases at most this many items of each kind a turn: a database that kept
# years of messages is erased over some turns, not in one long transaction (and the
# cards' edits spread over the moderation chat's budget).
RETENTION_BATCH = 100


@dataclass(frozen=True)
class Expired:
    contacts: int
    rejected: int


async def erase_expired(db: Database, settings: Settings, now: float) -> Expired:
    """Contact messages whose conversation ended CONTACT_RETENTION_DAYS ago lose their name,
    email and words (and the answers'); rejected comments REJECTED_RETENTION_DAYS after
    their rejection lose their words."""
    async with db.transaction() as conn:
        contacts = await erasure.contacts_to_erase(
            conn, now - settings.contact_retention_days * 86400, RETENTION_BATCH
        )
        rejected = await erasure.rejected_to_erase(
            conn, now - settings.rejected_retention_days * 86400, RETENTION_BATCH
        )
        await erasure.erase_words(conn, [*contacts, *rejected], now)
        await erasure.unname_contacts(conn, contacts)
        for submission_id in [*contacts, *rejected]:
            await effects.refresh_cards(conn, settings, submission_id, now)
    if contacts or rejected:
        await db.clear_erased_pages()
    return Expired(len(contacts), len(rejected))


# Once an hour, as housekeeping: a day more or less past a year changes nothing.
RETENTION_INTERVAL_SECONDS = 3600.0


class Retention(Periodic):
    """Erases what is kept too long, at start and every hour, until stopped; a turn that
    erased a full batch comes again at once for the rest."""

    name = "retention"

    def __init__(self, db: Database, settings: Settings, wake_outbox: Callable[[], None]) -> None:
        super().__init__(RETENTION_INTERVAL_SECONDS)
        self._db = db
        self._settings = settings
        self._wake_outbox = wake_outbox

    async def turn(self) -> None:
        while True:
            expired = await erase_expired(self._db, self._settings, time.time())
            if expired.contacts or expired.rejected:
                logger.info("Retention erased %s", expired)
                self._wake_outbox()
            if max(expired.contacts, expired.rejected) < RETENTION_BATCH:
                return
