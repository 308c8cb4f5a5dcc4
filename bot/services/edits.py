"""✏️ Edit before approving: a moderator taps ✏️ Edit on a pending comment's card and
replies to the card with the corrected text. The correction is kept beside the reader's
own words, which stay as written; approving publishes it, marked as edited by the
moderators, and the author is told what changed.

Only a reply from the moderator who tapped ✏️ Edit (within EDIT_WINDOW_SECONDS) is an
edit: any other reply to a comment's card is the moderators' own conversation, and a
reply to a contact card still answers the reader.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from enum import StrEnum

from bot.services import desk, effects, private_desk
from bot.settings import Settings
from storage import corrections, moderation_cards, moderation_log, submissions
from storage.db import Database
from storage.models import LoggedAction, Person, Submission, SubmissionKind

# A tap on ✏️ Edit waits this long for its reply; a reply after that is not taken as the
# correction (the moderator may well have moved on), and they are told to tap again.
EDIT_WINDOW_SECONDS = 3600


class EditResult(StrEnum):
    REQUESTED = "requested"
    SAVED = "saved"
    # The reply gave back the reader's own words: the earlier correction is taken back.
    UNDONE = "undone"
    # No ✏️ Edit waits for this person on this card: the reply is something else.
    NOT_AN_EDIT = "not_an_edit"
    NOT_FOUND = "not_found"
    # The button was pressed on a message that is not this item's card: forged data.
    WRONG_CARD = "wrong_card"
    # A contact message, or a comment left up in the discussion group.
    NOT_EDITABLE = "not_editable"
    ALREADY_DECIDED = "already_decided"
    EXPIRED = "expired"
    EMPTY = "empty"
    # A sticker, a photo: a correction is text.
    NOT_TEXT = "not_text"
    TOO_LONG = "too_long"


@dataclass(frozen=True)
class EditOutcome:
    result: EditResult
    submission: Submission | None = None


def editable(submission: Submission) -> bool:
    """A pending comment the bot will publish itself. One left up in the discussion group
    while it waits (post-moderation) is the reader's own message there, which Telegram
    lets no bot edit: it is kept or removed as it stands."""
    return (
        submission.kind is SubmissionKind.COMMENT
        and submission.is_pending
        and not submission.original_kept
    )


async def request_edit(
    db: Database,
    submission_id: int,
    moderator: Person,
    now: float,
    *,
    pressed_on: tuple[int, int],
) -> EditOutcome:
    """✏️ Edit tapped on `pressed_on` (chat, message), which must be this item's card."""
    async with db.transaction() as conn:
        submission = await submissions.get(conn, submission_id)
        if submission is None:
            return EditOutcome(EditResult.NOT_FOUND)
        if await moderation_cards.submission_of_card(conn, *pressed_on) != submission_id:
            return EditOutcome(EditResult.WRONG_CARD)
        if not submission.is_pending:
            return EditOutcome(EditResult.ALREADY_DECIDED, submission)
        if not editable(submission):
            return EditOutcome(EditResult.NOT_EDITABLE, submission)
        await corrections.request(conn, submission_id, moderator.user_id, now)
    return EditOutcome(EditResult.REQUESTED, submission)


async def correct_by_reply(
    db: Database,
    settings: Settings,
    moderator: Person,
    replied_to: tuple[int, int],
    text: str | None,
    now: float,
    *,
    anonymous: bool = False,
) -> EditOutcome:
    """A moderator's reply to `replied_to` (chat, message), a card or its continuation:
    the corrected text if they tapped ✏️ Edit there, else NOT_AN_EDIT. `text` is None for
    a reply without text. An anonymous admin writes as the group, so any of them who
    tapped may be the one replying."""
    async with db.transaction() as conn:
        submission_id = await moderation_cards.submission_of_card(conn, *replied_to)
        if submission_id is None:
            return EditOutcome(EditResult.NOT_AN_EDIT)
        asker = None if anonymous else moderator.user_id
        requested_at = await corrections.requested_at(conn, submission_id, asker)
        submission = await submissions.get(conn, submission_id)
        # Decided since the tap (the decision closes its requests): a reply to a decided
        # card is something else (a reason for a rejection, say).
        if requested_at is None or submission is None or not submission.is_pending:
            return EditOutcome(EditResult.NOT_AN_EDIT)
        if now - requested_at > EDIT_WINDOW_SECONDS:
            await corrections.close_request(conn, submission_id, asker)
            return EditOutcome(EditResult.EXPIRED, submission)
        refusal = _refusal(settings, text)
        if refusal is not None:
            # The request stays open: the moderator replies again with text that fits.
            return EditOutcome(refusal, submission)
        assert text is not None
        corrected = text.strip()
        undone = corrected == submission.text.strip()
        earlier = submission.corrected_text is not None
        if undone:
            await corrections.take_back(conn, submission_id)
        else:
            await corrections.save(conn, submission_id, corrected, moderator, now)
        await corrections.close_request(conn, submission_id, asker)
        # The record says who edited when, never the words (issue 23 erases readers' words
        # and keeps the record).
        detail: dict[str, object] | None = (
            {"undone": True} if undone else {"replaces_edit": True} if earlier else None
        )
        await moderation_log.append(
            conn,
            LoggedAction.EDIT,
            now,
            moderator=moderator,
            author_id=submission.author.user_id,
            submission_id=submission_id,
            detail=detail,
        )
        await effects.refresh_cards(conn, settings, submission_id, now)
        await desk.refresh_if_open(conn, settings, now)
        await private_desk.item_changed(conn, submission_id, now)
        saved = await submissions.get(conn, submission_id)
    return EditOutcome(EditResult.UNDONE if undone else EditResult.SAVED, saved)


def _refusal(settings: Settings, text: str | None) -> EditResult | None:
    if text is None:
        return EditResult.NOT_TEXT
    corrected = text.strip()
    if not corrected:
        return EditResult.EMPTY
    # Measured as readers' comments are (bot.services.comments): the same limit holds.
    if len(corrected) > settings.comment_max_length:
        return EditResult.TOO_LONG
    return None


class Change(StrEnum):
    SAME = "same"
    REMOVED = "removed"
    ADDED = "added"


_WORDS = re.compile(r"\s*\S+\s*|\s+")


def word_changes(original: str, corrected: str) -> list[tuple[Change, str]]:
    """What an edit changed, word by word: runs of words kept, removed and added, in
    reading order (a replaced run is its removal, then its addition). Each word keeps the
    spaces after it, so the runs joined give back either text."""
    old, new = _WORDS.findall(original), _WORDS.findall(corrected)
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    changes: list[tuple[Change, str]] = []
    for tag, old_start, old_end, new_start, new_end in matcher.get_opcodes():
        if tag == "equal":
            changes.append((Change.SAME, "".join(old[old_start:old_end])))
            continue
        if old_end > old_start:
            changes.append((Change.REMOVED, "".join(old[old_start:old_end])))
        if new_end > new_start:
            changes.append((Change.ADDED, "".join(new[new_start:new_end])))
    return changes
