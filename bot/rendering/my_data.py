"""my-data.json (/mydata) and /privacy: what the bot keeps about a reader, in words.

The document is written a part at a time (`JsonDocument`), so a history of any length is
one file without ever being one string in memory. Keys are English (a program reading the
file may rely on them); the `about` part explains each in the reader's language.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, TextIO

from bot.i18n import Texts
from bot.rendering import reasons as reason_texts
from bot.rendering.common import esc, moment
from storage.personal_data import Row

FILE_NAME = "my-data.json"
COMPRESSED_FILE_NAME = "my-data.json.gz"
INDENT = 2

# Unix times, written as ISO 8601 text in UTC.
_TIME_KEYS = frozenset({"at", "until"})
# Columns holding JSON text, written as the JSON they hold.
_JSON_KEYS = frozenset({"spam_reasons", "detail", "data", "raw", "payload"})
# Columns holding 0 or 1.
_FLAG_KEYS = frozenset(
    {
        "author_banned",
        "auto_approved",
        "marked_spam",
        "caught_flooding",
        "original_kept",
        "banned",
        "decided_by_moderator",
        "corrected_by_moderator",
        "restored_by_moderator",
        "by_moderator",
    }
)
A_MODERATOR = "a moderator"
THE_BOT = "the bot"


def iso(timestamp: float) -> str:
    """2026-12-07T23:05:09Z"""
    moment = datetime.fromtimestamp(timestamp, UTC).replace(microsecond=0)
    return moment.isoformat().replace("+00:00", "Z")


def _value(key: str, value: Any) -> Any:
    if value is None:
        return None
    if (key.endswith("_at") or key in _TIME_KEYS) and isinstance(value, int | float):
        return iso(value)
    if key in _JSON_KEYS and isinstance(value, str):
        try:
            held = json.loads(value)
        except json.JSONDecodeError:
            return value
        # A record's detail holds times of its own ({"ran_out_at": ...}).
        return shaped(held) if isinstance(held, dict) and key == "detail" else held
    if key in _FLAG_KEYS:
        return bool(value)
    return value


def shaped(row: Row) -> dict[str, Any]:
    """A row as the reader reads it: dates as text, JSON as JSON, flags as true/false."""
    return {key: _value(key, value) for key, value in row.items()}


def _who(by_moderator: bool) -> str:
    """Never a moderator's name: theirs is their own personal data (GDPR Art. 15(4)); that
    a person, not the bot, decided is the reader's to know."""
    return A_MODERATOR if by_moderator else THE_BOT


def submission(t: Texts, row: Row, conversation: list[Row] | None = None) -> dict[str, Any]:
    """A comment or a contact message, with who decided and why in words."""
    entry = shaped(row)
    decided_by_moderator = entry.pop("decided_by_moderator")
    corrected = entry.pop("corrected_by_moderator")
    restored = entry.pop("restored_by_moderator")
    if entry["status"] != "pending" or entry.get("caught_at"):
        entry["decided_by"] = _who(decided_by_moderator)
    if corrected:
        entry["corrected_by"] = A_MODERATOR
    if restored:
        entry["restored_by"] = A_MODERATOR
    if entry.get("decision_reason") is not None:
        entry["decision_reason"] = reason_texts.reason_text(t, entry["decision_reason"])
    if entry["kind"] == "contact":
        for key in ("article_id", "article_title"):
            entry.pop(key, None)
        entry["conversation"] = [_answer(answer) for answer in conversation or []]
    else:
        for key in ("contact_name", "contact_email"):
            entry.pop(key, None)
    return entry


def _answer(row: Row) -> dict[str, Any]:
    entry = shaped(row)
    entry.pop("submission_id", None)
    entry["from"] = "you" if entry.pop("direction") == "to_editors" else "the editors"
    return entry


def record_line(t: Texts, row: Row) -> dict[str, Any]:
    entry = shaped(row)
    entry["by"] = _who(entry.pop("by_moderator"))
    if entry.get("reason") is not None:
        entry["reason"] = reason_texts.reason_text(t, entry["reason"])
    return entry


def notifications(
    off: list[Row], reply_notices: list[Row], thread_notices: list[Row]
) -> dict[str, Any]:
    return {
        "replies_notified": not off,
        "turned_off_at": shaped(off[0])["turned_off_at"] if off else None,
        "reply_notices": [shaped(row) for row in reply_notices],
        "thread_notices": [shaped(row) for row in thread_notices],
    }


def about(t: Texts, now: float) -> dict[str, Any]:
    """What the file is and what each part holds, in the reader's language."""
    return {
        "what_this_is": t.gettext(
            "Everything this bot keeps about you, as it was on {moment}. Dates are in "
            "ISO 8601, in UTC. /privacy says why each part is kept and for how long; "
            "/forget erases it."
        ).format(moment=iso(now)),
        "parts": {
            "profile": t.gettext(
                "Your Telegram id, name, username and language as Telegram last showed them "
                "to the bot, and the language you chose with /language."
            ),
            "comments": t.gettext(
                "Every comment you sent: the text as you wrote it, the article, when, the "
                "outcome (pending, approved, rejected), who decided (a moderator or the bot), "
                "the reason given, a moderator's corrected text if they edited it, and the "
                "spam check's score and signals when it had doubts."
            ),
            "contact_messages": t.gettext(
                "Every message you sent to the editors with the name and email you gave, and "
                "the conversation under it: your answers and the editors'."
            ),
            "bans": t.gettext(
                "Every time you were banned: when, until when, why, and when it was lifted."
            ),
            "moderation_record": t.gettext(
                "The moderators' record of each decision about you: what was done, when, by "
                "a moderator or by the bot, and the reason or note they wrote."
            ),
            "notifications": t.gettext(
                "Whether you hear when your comments are answered (/notifications) and when "
                "the bot last told you so."
            ),
            "in_progress": t.gettext(
                "What you are in the middle of: an article opened to comment, a contact form."
            ),
            "messages_to_you": t.gettext(
                "Messages the bot sent you, or is about to, with what each carries, kept a "
                "few days as its log."
            ),
            "held_updates": t.gettext(
                "Your messages as Telegram delivered them, when handling them failed and the "
                "bot keeps them to try again."
            ),
            "spam_list_check": t.gettext(
                "What a public list of spammers (CAS) answered about your Telegram id, if "
                "the bot asks it."
            ),
            "copies_requested": t.gettext("When you last asked for this copy."),
            "forgotten": t.gettext(
                "When you asked to be forgotten before, and what you chose for your"
                " published comments: the bot keeps this so that an old backup restored"
                " later is erased again."
            ),
        },
        "notes": [
            t.gettext(
                "Moderators are named as “a moderator”: their names are their own personal "
                "data. The editors' answers to you are shown in full."
            ),
            t.gettext(
                "When moderators decide about a comment, its text may teach the spam check. "
                "Those texts are kept without any link to you, so they cannot be found "
                "by your name or id, and are not in this file."
            ),
            t.gettext(
                "If you answered someone's comment in a thread, the notice the bot sent them "
                "quotes your reply and your name. That copy is kept with their messages for a "
                "few days, without a link to you, and is not in this file."
            ),
            t.gettext(
                "Left out: Telegram's message and chat numbers and other bookkeeping the bot "
                "uses to find its own messages; they say nothing more about you."
            ),
        ],
    }


def caption(t: Texts) -> str:
    return t.gettext(
        "📦 Everything I keep about you, in one file. The “about” part at the top explains "
        "each part. /privacy says why it is kept; /forget erases it."
    )


def compressed_caption(t: Texts) -> str:
    return t.gettext(
        "📦 Everything I keep about you. It is long, so it is compressed (gzip): open it "
        "to find my-data.json. /privacy says why it is kept; /forget erases it."
    )


def too_large(t: Texts) -> str:
    return t.gettext(
        "📦 Your data is larger than Telegram lets me send. Write to the editors with "
        "/contact and they will send you a copy another way."
    )


def copy_on_its_way(t: Texts) -> str:
    return t.gettext(
        "📦 I am putting together everything I keep about you. It comes as one file, "
        "my-data.json, in a moment."
    )


def copy_too_soon(t: Texts, last_at: float, next_at: float) -> str:
    return t.gettext(
        "📦 You asked for a copy of your data at {last}: it is on its way, or already here "
        "above. You can ask for a new one from {next}."
    ).format(last=esc(moment(t, last_at)), next=esc(moment(t, next_at)))


def copy_usage(t: Texts) -> str:
    return t.gettext(
        "📦 /mydata sends you a copy of your own data, and nobody else's. Send /mydata alone, "
        "without anything after it."
    )


def privately(t: Texts, bot_username: str) -> str:
    """/mydata or /privacy in a group: what is yours is said in private only."""
    return t.gettext(
        "🔒 I answer /mydata and /privacy only in our private chat, where no one else reads "
        "it: {link}"
    ).format(link=esc(f"https://t.me/{bot_username}"))


def privacy(t: Texts, *, contact_days: int, rejected_days: int, log_days: float) -> str:
    """/privacy: what is kept, why, for how long, and how to have a copy or have it erased."""
    kept = t.gettext(
        "🔒 <b>What I keep about you</b>\n"
        "• Your Telegram id, name, username and language.\n"
        "• Your comments, with what the moderators decided (and why, when they say).\n"
        "• Your messages to the editors with the name and email you give there, and their "
        "answers.\n"
        "• Bans, and the moderators' record of their decisions about you.\n"
        "• Whether you want to hear when your comments are answered."
    )
    why = t.gettext(
        "<b>Why</b>\n"
        "To publish comments after a moderator has read them, to answer your messages, and "
        "to keep spam and abuse out. If the blog turned it on, your Telegram id (nothing "
        "else) is checked against CAS, a public list of spammers. Published comments are "
        "public, under your name; the rest is seen only by the blog's moderators and editors."
    )
    how_long = "\n".join(
        (
            t.gettext("<b>For how long</b>"),
            t.gettext("• Published comments: while they are published, or until you ask."),
            t.ngettext(
                "• Rejected comments: their text is erased {days} day after the decision.",
                "• Rejected comments: their text is erased {days} days after the decision.",
                rejected_days,
            ).format(days=rejected_days),
            t.ngettext(
                "• Messages to the editors: name, email and text are erased {days} day later.",
                "• Messages to the editors: name, email and text are erased {days} days later.",
                contact_days,
            ).format(days=contact_days),
            t.gettext("• The log of messages I sent you: {days} days.").format(
                days=f"{log_days:g}"
            ),
            t.gettext(
                "• The moderators' record keeps that a decision or a ban was made, without "
                "your words."
            ),
        )
    )
    rights = t.gettext(
        "<b>Your copy, and erasure</b>\n"
        "/mydata sends you everything I keep about you in one file.\n"
        "/forget erases it.\n"
        "/contact to write to the editors about anything else."
    )
    return "\n\n".join((kept, why, how_long, rights))


class JsonDocument:
    """One JSON object written key by key, each list item by item, indented as
    json.dumps(indent=2) would: a list of any length never has to be one string."""

    def __init__(self, out: TextIO) -> None:
        self._out = out
        self._keys = 0
        out.write("{")

    def field(self, key: str, value: Any) -> None:
        self._key(key)
        self._out.write(_dumped(value, 1))

    def items(self, key: str, values: Iterable[Any]) -> int:
        """A list, an item at a time; returns how many there were."""
        self._key(key)
        count = 0
        for value in values:
            self._out.write(("," if count else "[") + "\n" + " " * 2 * INDENT)
            self._out.write(_dumped(value, 2))
            count += 1
        self._out.write(f"\n{' ' * INDENT}]" if count else "[]")
        return count

    def close(self) -> None:
        self._out.write("\n}\n" if self._keys else "}\n")

    def _key(self, key: str) -> None:
        self._out.write(("," if self._keys else "") + "\n" + " " * INDENT)
        self._out.write(json.dumps(key) + ": ")
        self._keys += 1


def _dumped(value: Any, level: int) -> str:
    text = json.dumps(value, indent=INDENT, ensure_ascii=False)
    return text.replace("\n", "\n" + " " * INDENT * level)
