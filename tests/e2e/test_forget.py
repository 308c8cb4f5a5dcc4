"""Readers own their words (issue 23), end to end: /forget with either choice for the
published comments, an admin's /forget USER, retention with time moved forward, and a
forgotten reader's data searched for in every table of the database and in its files."""

from __future__ import annotations

import asyncio
import json
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiosqlite
import pytest

from bot import callback_data, forget_cli
from bot.backup import backup_database
from bot.services import forget, housekeeping
from bot.services.verdicts import Decision
from bot.settings import Settings, ThreadModeration
from sandbox.bot_api import FakeTelegram
from tests.e2e.harness import READER_IDS, MovedClocks, running_bot, wait_for_outbox
from tests.e2e.steps import (
    card_without_buttons,
    comment,
    fill_form,
    post_article,
    press,
    thread_of,
    types_under,
)
from tests.factories import ADMIN_ID, DISCUSSION_CHAT_ID, MODERATION_CHAT_ID, MODERATOR_ID

Message = dict[str, Any]

# A reader with names found nowhere else, so that any trace of them is theirs.
ZEPH = 4242
FIRST, LAST, USERNAME = "Zephyrine", "Quillfeather", "zephy_q"
EMAIL = "zephyrine.q@example.org"
CONTACT_NAME = "Zeph Realname"
PUBLISHED = "Published words about the budget vote"
PENDING = "Pending words nobody decided on"
REJECTED = "Rejected words that were off topic"
CONTACT_TEXT = "Private contact words for the editors"
THREAD_REPLY = "Typed reply under another comment here"
OTHER = READER_IDS[0]
DAY = 86400.0


@pytest.fixture
def settings(discussion_settings: Settings) -> Settings:
    """With a discussion group, and room for one reader doing much at once (flood control
    would otherwise hold their /forget back)."""
    return discussion_settings.model_copy(update={"flood_gate_burst": 100})


def add_zeph(telegram: FakeTelegram) -> None:
    telegram.add_user(ZEPH, FIRST, LAST, USERNAME)


async def rows(settings: Settings, sql: str, *parameters: object) -> list[tuple[Any, ...]]:
    async with aiosqlite.connect(settings.database_path) as conn:
        return [tuple(row) for row in await conn.execute_fetchall(sql, parameters)]


async def wait_for_rows(settings: Settings, sql: str, *parameters: object) -> list[tuple[Any, ...]]:
    """SQLite sends no events: look again every 20 ms, for 5 s."""
    deadline = time.monotonic() + 5.0
    while not (found := await rows(settings, sql, *parameters)):
        if time.monotonic() > deadline:
            raise AssertionError(f"no rows for {sql}")
        await asyncio.sleep(0.02)
    return found


async def traces_in_tables(path: Path, needles: list[str]) -> list[tuple[str, str, str]]:
    """(table, column, needle) for every text or blob value of every table (read from
    sqlite_master, so a table added later is searched too) holding a needle, in any case
    and as JSON would escape it."""
    forms = {n: {n.lower(), json.dumps(n)[1:-1].lower()} for n in needles}
    found = []
    async with aiosqlite.connect(path) as conn:
        tables = [
            str(row[0])
            for row in await conn.execute_fetchall(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        assert "submissions" in tables and "moderation_log" in tables
        for table in tables:
            columns = [
                str(row[1]) for row in await conn.execute_fetchall(f'PRAGMA table_info("{table}")')
            ]
            for column in columns:
                values = await conn.execute_fetchall(
                    f'SELECT "{column}" FROM "{table}"'
                    f" WHERE typeof(\"{column}\") IN ('text', 'blob')"
                )
                for (value,) in values:
                    text = (
                        value if isinstance(value, str) else bytes(value).decode("utf-8", "replace")
                    )
                    found += [
                        (table, column, needle)
                        for needle, spelled in forms.items()
                        if any(form in text.lower() for form in spelled)
                    ]
    return found


def traces_in_files(path: Path, needles: list[str]) -> list[tuple[str, str]]:
    """The database's files as bytes: free pages and the write-ahead log hold deleted
    content unless it was overwritten (PRAGMA secure_delete, a checkpoint)."""
    found = []
    for file in (path, path.with_name(path.name + "-wal")):
        if file.exists():
            data = file.read_bytes()
            found += [(file.name, n) for n in needles if n.encode() in data]
    return found


async def published_comment(telegram: FakeTelegram, post: Message, text: str) -> Message:
    """Zeph comments through the bot, a moderator approves: the bot's post in the thread."""
    card = await comment(telegram, ZEPH, post, text)
    await press(telegram, MODERATOR_ID, card, Decision.APPROVE)
    return await telegram.wait_for_bot_message(DISCUSSION_CHAT_ID, contains=text)


async def press_forget(
    telegram: FakeTelegram, user_id: int, asked: Message, choice: str
) -> dict[str, Any]:
    """Taps one of the confirmation's buttons; returns the bot's answer to the press."""
    buttons = [b for row in asked["reply_markup"]["inline_keyboard"] for b in row]
    data = next(
        b["callback_data"]
        for b in buttons
        if (parsed := callback_data.parse_forget(b["callback_data"])) and parsed.choice == choice
    )
    return await answer_to(
        telegram, telegram.user_presses_button(user_id, user_id, asked["message_id"], data)
    )


async def answer_to(telegram: FakeTelegram, query: str) -> dict[str, Any]:
    """The bot's answer to a button press."""
    return await telegram.wait_for(lambda: telegram.callback_answers.get(query))


def gone(telegram: FakeTelegram, chat_id: int, message_id: int) -> bool:
    return telegram.message(chat_id, message_id) is None


@dataclass(frozen=True)
class Everything:
    published: Message
    reposted: Message
    others_post: Message
    pending: Message
    contact: Message


async def zeph_does_everything(telegram: FakeTelegram) -> Everything:
    """A comment published; a reply typed under another reader's comment, published (that
    reader is owed a notice carrying its words); one rejected; one pending; a contact
    message that an editor answers, naming them."""
    _, post = await post_article(telegram)
    published = await published_comment(telegram, post, PUBLISHED)
    other = await comment(telegram, OTHER, post, "Another reader's comment")
    await press(telegram, MODERATOR_ID, other, Decision.APPROVE)
    others_post = await telegram.wait_for_bot_message(
        DISCUSSION_CHAT_ID, contains="Another reader's comment"
    )
    await thread_of(telegram, post)
    telegram.user_joins(DISCUSSION_CHAT_ID, ZEPH)
    typed = types_under(telegram, ZEPH, THREAD_REPLY, others_post["message_id"])
    typed_card = await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains=THREAD_REPLY)
    await press(telegram, MODERATOR_ID, typed_card, Decision.APPROVE)
    reposted = await telegram.wait_for_bot_message(DISCUSSION_CHAT_ID, contains=THREAD_REPLY)
    await telegram.wait_for(lambda: gone(telegram, DISCUSSION_CHAT_ID, typed["message_id"]))
    rejected = await comment(telegram, ZEPH, post, REJECTED)
    await press(telegram, MODERATOR_ID, rejected, Decision.REJECT)
    await card_without_buttons(telegram, rejected)
    pending = await comment(telegram, ZEPH, post, PENDING)
    contact = await fill_form(telegram, ZEPH, CONTACT_NAME, EMAIL, CONTACT_TEXT)
    telegram.user_sends_text(
        MODERATOR_ID,
        f"Thank you {FIRST}, we will look",
        chat_id=MODERATION_CHAT_ID,
        reply_to_message_id=contact["message_id"],
    )
    await telegram.wait_for_bot_message(ZEPH, contains="Reply from the editors")
    return Everything(published, reposted, others_post, pending, contact)


async def test_forget_takes_everything_down_and_leaves_no_trace_in_the_database(
    telegram: FakeTelegram, settings: Settings
) -> None:
    """A reader who did everything (zeph_does_everything) sends /forget and takes their
    comments down: the thread posts are deleted, the pending card says it was withdrawn,
    they are told what was done, and no table, column or file of the database holds their
    names, email or words any more. The record of decisions stays, with a `forget` line.
    Asked again, nothing more is done and nothing breaks."""
    add_zeph(telegram)
    async with running_bot(settings):
        did = await zeph_does_everything(telegram)
        needles = [FIRST, LAST, USERNAME, EMAIL, CONTACT_NAME, PUBLISHED, PENDING, REJECTED]
        needles += [CONTACT_TEXT, THREAD_REPLY]
        assert await traces_in_tables(settings.database_path, needles), "nothing to find?"

        telegram.user_sends_text(ZEPH, "/forget")
        asked = await telegram.wait_for_bot_message(ZEPH, contains="Forget me")
        await press_forget(telegram, ZEPH, asked, "down")
        done = await telegram.wait_for(
            lambda: (
                (m := telegram.message(ZEPH, asked["message_id"]))
                and "Done: forgotten" in m["text"]
                and m
            )
        )
        # The pending comment, and the contact message no moderator decided on.
        assert "2 waiting items withdrawn" in done["text"]
        assert "2 published comments taken down" in done["text"]
        assert "start as a new reader" in done["text"]
        assert "reply_markup" not in done
        await telegram.wait_for(
            lambda: gone(telegram, DISCUSSION_CHAT_ID, did.published["message_id"])
        )
        await telegram.wait_for(
            lambda: gone(telegram, DISCUSSION_CHAT_ID, did.reposted["message_id"])
        )
        withdrawn = await telegram.wait_for(
            lambda: (
                (m := telegram.message(MODERATION_CHAT_ID, did.pending["message_id"]))
                and "Withdrawn" in m["text"]
                and m
            )
        )
        assert PENDING not in withdrawn["text"]
        assert "reply_markup" not in withdrawn
        await telegram.wait_for(
            lambda: (
                EMAIL
                not in (telegram.message(MODERATION_CHAT_ID, did.contact["message_id"]) or {}).get(
                    "text", EMAIL
                )
            )
        )
        # The other reader's comment and the record stay.
        assert not gone(telegram, DISCUSSION_CHAT_ID, did.others_post["message_id"])
        [[by, reason]] = await rows(
            settings,
            "SELECT moderator_id, reason FROM moderation_log"
            " WHERE action = 'forget' AND author_id = ?",
            ZEPH,
        )
        assert (by, reason) == (None, None)
        decisions = await rows(
            settings,
            "SELECT action, moderator_id FROM moderation_log"
            " WHERE author_id = ? AND action != 'forget'",
            ZEPH,
        )
        assert ("approve", MODERATOR_ID) in decisions and ("reject", MODERATOR_ID) in decisions
        assert await rows(settings, "SELECT 1 FROM forgotten_readers WHERE user_id = ?", ZEPH)
        assert await traces_in_tables(settings.database_path, needles) == []

        # Asked again: nothing more to do, and nothing breaks.
        telegram.user_sends_text(ZEPH, "/forget")
        again = await telegram.wait_for_bot_message(ZEPH, contains="Forget me")
        await press_forget(telegram, ZEPH, again, "down")
        await telegram.wait_for(
            lambda: (
                "0 published comments taken down"
                in (telegram.message(ZEPH, again["message_id"]) or {}).get("text", "")
            )
        )
    assert await traces_in_tables(settings.database_path, needles) == []
    assert traces_in_files(settings.database_path, needles) == []


async def test_forget_keeping_comments_signs_them_as_a_former_reader(
    telegram: FakeTelegram, settings: Settings
) -> None:
    """Keep anonymous: the bot's post of the comment stays, signed "a former reader"; the
    reader's names are gone from the database, the published words stay (their choice)
    and nothing else of theirs does. A second /forget, taking down, takes it down."""
    add_zeph(telegram)
    async with running_bot(settings):
        _, post = await post_article(telegram)
        published = await published_comment(telegram, post, PUBLISHED)
        assert FIRST in published["text"]
        rejected = await comment(telegram, ZEPH, post, REJECTED)
        await press(telegram, MODERATOR_ID, rejected, Decision.REJECT)
        await card_without_buttons(telegram, rejected)

        telegram.user_sends_text(ZEPH, "/forget")
        asked = await telegram.wait_for_bot_message(ZEPH, contains="Forget me")
        assert "only delete them" in asked["text"]
        labels = [b["text"] for row in asked["reply_markup"]["inline_keyboard"] for b in row]
        assert labels[0].startswith("🗑")
        await press_forget(telegram, ZEPH, asked, "keep")
        signed = await telegram.wait_for(
            lambda: (
                (m := telegram.message(DISCUSSION_CHAT_ID, published["message_id"]))
                and "a former reader" in m["text"]
                and m
            )
        )
        assert PUBLISHED in signed["text"]
        assert FIRST not in signed["text"]
        done = await telegram.wait_for(
            lambda: (
                (m := telegram.message(ZEPH, asked["message_id"]))
                and "Done: forgotten" in m["text"]
                and m
            )
        )
        assert "1 published comment left up" in done["text"]
        assert (
            await traces_in_tables(settings.database_path, [FIRST, LAST, USERNAME, REJECTED]) == []
        )
        assert await traces_in_tables(settings.database_path, [PUBLISHED]) == [
            ("submissions", "text", PUBLISHED)
        ]

        # Changed their mind: a second /forget takes down what the first left up.
        telegram.user_sends_text(ZEPH, "/forget")
        again = await telegram.wait_for_bot_message(ZEPH, contains="Forget me")
        await press_forget(telegram, ZEPH, again, "down")
        await telegram.wait_for(lambda: gone(telegram, DISCUSSION_CHAT_ID, published["message_id"]))
    assert await traces_in_tables(settings.database_path, [PUBLISHED]) == []


async def test_an_admin_forgets_a_reader_by_username_after_confirming(
    telegram: FakeTelegram, settings: Settings
) -> None:
    """/forget @user (an admin, privately): a confirmation naming the reader, nothing done
    before the tap; then the reader's pending comment is withdrawn and the record gets a
    line naming the admin (no reason, no words). Bad input and unknown users are answered,
    and nobody else may forget another reader, by command or forged button."""
    add_zeph(telegram)
    async with running_bot(settings):
        _, post = await post_article(telegram)
        pending = await comment(telegram, ZEPH, post, PENDING)

        for typed, expected in [
            ("/forget @nobody_here", "I don't know @nobody_here."),
            ("/forget 12ab", "Usage: /forget USER"),
        ]:
            telegram.user_sends_text(ADMIN_ID, typed)
            await telegram.wait_for_bot_message(ADMIN_ID, contains=expected)
        telegram.user_sends_text(OTHER, f"/forget {ZEPH}")
        await telegram.wait_for_bot_message(OTHER, contains="It takes nothing after it")

        telegram.user_sends_text(ADMIN_ID, "/forget @ZEPHY_Q")
        asked = await telegram.wait_for_bot_message(ADMIN_ID, contains="Forget ")
        assert f"(id {ZEPH})" in asked["text"] and FIRST in asked["text"]
        data = asked["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
        assert await rows(settings, "SELECT 1 FROM submissions WHERE text = ?", PENDING)

        # A reader forging the admin's button for someone else is refused.
        other_asked = telegram.user_sends_text(OTHER, "/forget")
        other_confirmation = await telegram.wait_for_bot_message(OTHER, contains="Forget me")
        assert other_asked
        forged = telegram.user_presses_button(OTHER, OTHER, other_confirmation["message_id"], data)
        answer = await answer_to(telegram, forged)
        assert answer["text"] == "This button is no longer valid."
        assert await rows(settings, "SELECT 1 FROM submissions WHERE text = ?", PENDING)

        await press_forget(telegram, ADMIN_ID, asked, "down")
        await telegram.wait_for(
            lambda: (
                "Done: forgotten"
                in (telegram.message(ADMIN_ID, asked["message_id"]) or {}).get("text", "")
            )
        )
        await telegram.wait_for(
            lambda: (
                "Withdrawn"
                in (telegram.message(MODERATION_CHAT_ID, pending["message_id"]) or {}).get(
                    "text", ""
                )
            )
        )
        [[by, name, reason, detail]] = await rows(
            settings,
            "SELECT moderator_id, moderator_name, reason, detail FROM moderation_log"
            " WHERE action = 'forget' AND author_id = ?",
            ZEPH,
        )
        assert (by, name, reason) == (ADMIN_ID, "Alice Admin", None)
        assert PENDING not in detail
        assert await traces_in_tables(settings.database_path, [FIRST, USERNAME, PENDING]) == []


async def test_retention_erases_rejected_words_after_90_days_and_contact_data_after_365(
    telegram: FakeTelegram, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Time moved forward, never waited for: 91 days on, a rejected comment's words are
    erased (its card says so) while the contact message stays; 366 days on, the contact
    message's name, email and words and the editor's answer go too. An approved comment
    stays as it is."""
    monkeypatch.setattr(forget, "RETENTION_INTERVAL_SECONDS", 0.1)
    # Housekeeping prunes what was sent (a form's steps named the reader) after a week.
    monkeypatch.setattr(housekeeping, "INTERVAL_SECONDS", 0.1)
    clocks = MovedClocks(telegram, monkeypatch)
    add_zeph(telegram)
    async with running_bot(settings):
        _, post = await post_article(telegram)
        await published_comment(telegram, post, PUBLISHED)
        rejected = await comment(telegram, ZEPH, post, REJECTED)
        await press(telegram, MODERATOR_ID, rejected, Decision.REJECT)
        await card_without_buttons(telegram, rejected)
        contact = await fill_form(telegram, ZEPH, CONTACT_NAME, EMAIL, CONTACT_TEXT)
        telegram.user_sends_text(
            MODERATOR_ID,
            "An answer from the editors",
            chat_id=MODERATION_CHAT_ID,
            reply_to_message_id=contact["message_id"],
        )
        await telegram.wait_for_bot_message(ZEPH, contains="Reply from the editors")

        clocks.move_forward(91 * DAY)
        await wait_for_rows(
            settings, "SELECT 1 FROM submissions WHERE text = '' AND erased_at IS NOT NULL"
        )
        await telegram.wait_for(
            lambda: (
                "Erased"
                in (telegram.message(MODERATION_CHAT_ID, rejected["message_id"]) or {}).get(
                    "text", ""
                )
            )
        )
        assert await rows(settings, "SELECT 1 FROM submissions WHERE text = ?", CONTACT_TEXT)
        assert await rows(settings, "SELECT 1 FROM submissions WHERE text = ?", PUBLISHED)
        assert await traces_in_tables(settings.database_path, [REJECTED]) == []

        clocks.move_forward(275 * DAY)
        await wait_for_rows(
            settings,
            "SELECT 1 FROM submissions WHERE kind = 'contact' AND erased_at IS NOT NULL",
        )
        assert (
            await traces_in_tables(
                settings.database_path,
                [EMAIL, CONTACT_NAME, CONTACT_TEXT, "An answer from the editors"],
            )
            == []
        )
        assert await rows(settings, "SELECT 1 FROM submissions WHERE text = ?", PUBLISHED)
        assert await rows(
            settings, "SELECT author_name, text FROM submissions WHERE kind = 'contact'"
        ) == [("", "")]


async def test_a_restored_backup_is_erased_again_from_the_forgotten_list(
    telegram: FakeTelegram,
    settings: Settings,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A backup taken before a reader's /forget holds their words; `python -m bot forgotten`
    lists them from the database in use (with their choice), and `forget-again` with that
    list, on the restored backup, erases them again."""
    add_zeph(telegram)
    backup = tmp_path / "before.sqlite3"
    async with running_bot(settings):
        _, post = await post_article(telegram)
        await comment(telegram, ZEPH, post, PENDING)
        backup_database(settings.database_path, backup)
        telegram.user_sends_text(ZEPH, "/forget")
        asked = await telegram.wait_for_bot_message(ZEPH, contains="Forget me")
        await press_forget(telegram, ZEPH, asked, "keep")
        await telegram.wait_for(
            lambda: (
                "Done: forgotten"
                in (telegram.message(ZEPH, asked["message_id"]) or {}).get("text", "")
            )
        )
    assert await forget_cli.print_forgotten(settings.database_path) == 0
    listed = capsys.readouterr().out
    assert listed == f"{ZEPH} keep\n"

    path = settings.database_path
    for leftover in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)
    shutil.copyfile(backup, path)
    assert await traces_in_tables(path, [FIRST, PENDING]), "the backup holds them"
    forgotten_list = tmp_path / "forgotten.txt"
    forgotten_list.write_text(listed, encoding="utf-8")
    # forget-again runs its own event loop, as `python -m bot forget-again` does.
    assert await asyncio.to_thread(forget_cli.forget_again, settings, forgotten_list) == 0
    assert await traces_in_tables(path, [FIRST, LAST, USERNAME, PENDING]) == []
    assert traces_in_files(path, [FIRST, LAST, USERNAME, PENDING]) == []
    [[detail]] = await rows(
        settings,
        "SELECT detail FROM moderation_log WHERE action = 'forget' AND author_id = ?",
        ZEPH,
    )
    assert json.loads(detail) == {"after_restore": True, "published": "keep"}


async def test_a_thread_post_in_flight_when_its_author_is_forgotten_comes_down_after(
    telegram: FakeTelegram, settings: Settings
) -> None:
    """The comment's thread post is on its way to Telegram when its author taps Forget: the
    post lands (Telegram acts on what was sent), then comes down, since the take-down
    follows it in the thread's queue and reads where it landed; the forgotten author hears
    nothing of it being published."""
    add_zeph(telegram)
    async with running_bot(settings):
        _, post = await post_article(telegram)
        card = await comment(telegram, ZEPH, post, PUBLISHED)

        confirmations: list[Message] = []

        async def forget_meanwhile() -> None:
            telegram.user_sends_text(ZEPH, "/forget")
            asked = await telegram.wait_for_bot_message(ZEPH, contains="Forget me")
            confirmations.append(asked)
            await press_forget(telegram, ZEPH, asked, "down")
            await wait_for_rows(settings, "SELECT 1 FROM forgotten_readers WHERE user_id = ?", ZEPH)

        telegram.before_next("sendMessage", forget_meanwhile, chat_id=DISCUSSION_CHAT_ID)
        await press(telegram, MODERATOR_ID, card, Decision.APPROVE)

        def posted_then_deleted() -> bool:
            calls = [
                c.method
                for c in telegram.calls
                if c.params.get("chat_id") in (DISCUSSION_CHAT_ID, str(DISCUSSION_CHAT_ID))
                and c.method in ("sendMessage", "deleteMessage")
                and c.status == 200
            ]
            return calls[-2:] == ["sendMessage", "deleteMessage"]

        await telegram.wait_for(posted_then_deleted)
        assert not [
            m for m in telegram.messages_in(DISCUSSION_CHAT_ID) if PUBLISHED in m.get("text", "")
        ]
        await wait_for_outbox(settings, lambda statuses: "pending" not in statuses.values())
    # The confirmation, become the account of what was done, is the last word they had.
    [asked] = confirmations
    told_after = [
        m["text"] for m in telegram.bot_messages_in(ZEPH) if m["message_id"] > asked["message_id"]
    ]
    assert told_after == []
    assert await traces_in_tables(settings.database_path, [FIRST, PUBLISHED]) == []


async def test_a_spanish_reader_is_asked_and_told_in_spanish(
    telegram: FakeTelegram, settings: Settings
) -> None:
    """The confirmation, its buttons and the account of what was done, in the reader's
    language (Telegram's language_code es-MX), read before their language is erased."""
    telegram.add_user(ZEPH, FIRST, LAST, USERNAME, language_code="es-MX")
    async with running_bot(settings):
        telegram.user_sends_text(ZEPH, "/forget")
        asked = await telegram.wait_for_bot_message(ZEPH, contains="Olvídame")
        labels = [b["text"] for row in asked["reply_markup"]["inline_keyboard"] for b in row]
        assert labels == [
            "🗑 Olvidar y retirar comentarios",
            "🫥 Olvidar y dejar comentarios anónimos",
            "Cancelar",
        ]
        await press_forget(telegram, ZEPH, asked, "cancel")
        await telegram.wait_for(
            lambda: (
                "No se olvidó nada"
                in (telegram.message(ZEPH, asked["message_id"]) or {}).get("text", "")
            )
        )
        assert not await rows(settings, "SELECT 1 FROM forgotten_readers")
        telegram.user_sends_text(ZEPH, "/forget")
        again = await telegram.wait_for_bot_message(ZEPH, contains="Olvídame")
        await press_forget(telegram, ZEPH, again, "down")
        await telegram.wait_for(
            lambda: (
                "Hecho: olvidado"
                in (telegram.message(ZEPH, again["message_id"]) or {}).get("text", "")
            )
        )


async def test_a_private_desk_holding_a_withdrawn_item_moves_on(
    telegram: FakeTelegram, settings: Settings
) -> None:
    """A moderator's /desk shows the reader's pending comment when they are forgotten: the
    desk moves on to the next item waiting, and the reader's words leave it."""
    add_zeph(telegram)
    async with running_bot(settings):
        _, post = await post_article(telegram)
        await comment(telegram, ZEPH, post, PENDING)
        await comment(telegram, OTHER, post, "The other reader's words")
        telegram.user_sends_text(MODERATOR_ID, "/desk")
        desk = await telegram.wait_for_bot_message(MODERATOR_ID, contains=PENDING)

        telegram.user_sends_text(ZEPH, "/forget")
        asked = await telegram.wait_for_bot_message(ZEPH, contains="Forget me")
        await press_forget(telegram, ZEPH, asked, "down")
        moved = await telegram.wait_for(
            lambda: (
                (m := telegram.message(MODERATOR_ID, desk["message_id"]))
                and "The other reader's words" in m["text"]
                and m
            )
        )
        assert PENDING not in moved["text"] and FIRST not in moved["text"]


@pytest.mark.parametrize("choice", ["keep", "down"])
async def test_a_comment_typed_in_the_thread_is_the_readers_own_message(
    telegram: FakeTelegram, settings: Settings, choice: str
) -> None:
    """THREAD_MODERATION=post: a comment typed under the post stays up as the reader's own
    message, and a moderator keeps it. Kept anonymous, the bot cannot sign it anew: it
    stays as it is, and the reader is told to delete it in Telegram. Taken down, the bot
    deletes it."""
    settings = settings.model_copy(update={"thread_moderation": ThreadModeration.POST})
    add_zeph(telegram)
    telegram.user_sends_text(ZEPH, "/start")
    async with running_bot(settings):
        _, post = await post_article(telegram)
        thread = await thread_of(telegram, post)
        telegram.user_joins(DISCUSSION_CHAT_ID, ZEPH)
        typed = types_under(telegram, ZEPH, THREAD_REPLY, thread["message_id"])
        card = await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains=THREAD_REPLY)
        await press(telegram, MODERATOR_ID, card, Decision.APPROVE)
        await telegram.wait_for_bot_message(ZEPH, contains="stays up")

        telegram.user_sends_text(ZEPH, "/forget")
        asked = await telegram.wait_for_bot_message(ZEPH, contains="Forget me")
        await press_forget(telegram, ZEPH, asked, choice)
        done = await telegram.wait_for(
            lambda: (
                (m := telegram.message(ZEPH, asked["message_id"]))
                and "Done: forgotten" in m["text"]
                and m
            )
        )
        if choice == "keep":
            assert "1 comment typed directly in the thread stays up" in done["text"]
            assert "signed" not in done["text"]
            assert not gone(telegram, DISCUSSION_CHAT_ID, typed["message_id"])
        else:
            assert "1 published comment taken down" in done["text"]
            await telegram.wait_for(lambda: gone(telegram, DISCUSSION_CHAT_ID, typed["message_id"]))


async def test_a_photo_comment_is_signed_anew_in_its_caption_then_taken_down_with_its_copy(
    telegram: FakeTelegram, settings: Settings
) -> None:
    """A photo typed under the post is published by the bot as the photo with a signed
    caption. Kept anonymous, the caption is signed "a former reader"; taken down by a
    second /forget, the post goes, and so does the photo's copy in the moderation chat."""
    add_zeph(telegram)
    telegram.user_sends_text(ZEPH, "/start")
    async with running_bot(settings):
        _, post = await post_article(telegram)
        thread = await thread_of(telegram, post)
        telegram.user_joins(DISCUSSION_CHAT_ID, ZEPH)
        telegram.user_sends_photo(
            ZEPH, DISCUSSION_CHAT_ID, caption=THREAD_REPLY, reply_to_message_id=thread["message_id"]
        )
        card = await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains=THREAD_REPLY)
        copy = await telegram.wait_for(
            lambda: next(
                (m for m in telegram.bot_messages_in(MODERATION_CHAT_ID) if "photo" in m), None
            )
        )
        await press(telegram, MODERATOR_ID, card, Decision.APPROVE)
        published = await telegram.wait_for_bot_message(DISCUSSION_CHAT_ID, contains=THREAD_REPLY)
        assert "photo" in published and FIRST in published["caption"]

        telegram.user_sends_text(ZEPH, "/forget")
        asked = await telegram.wait_for_bot_message(ZEPH, contains="Forget me")
        await press_forget(telegram, ZEPH, asked, "keep")
        signed = await telegram.wait_for(
            lambda: (
                (m := telegram.message(DISCUSSION_CHAT_ID, published["message_id"]))
                and "a former reader" in m.get("caption", "")
                and m
            )
        )
        assert THREAD_REPLY in signed["caption"] and FIRST not in signed["caption"]
        assert not gone(telegram, MODERATION_CHAT_ID, copy["message_id"])

        telegram.user_sends_text(ZEPH, "/forget")
        again = await telegram.wait_for_bot_message(ZEPH, contains="Forget me")
        await press_forget(telegram, ZEPH, again, "down")
        await telegram.wait_for(lambda: gone(telegram, DISCUSSION_CHAT_ID, published["message_id"]))
        await telegram.wait_for(lambda: gone(telegram, MODERATION_CHAT_ID, copy["message_id"]))
    assert await traces_in_tables(settings.database_path, [FIRST, THREAD_REPLY]) == []


async def location_typed_under_a_post(telegram: FakeTelegram) -> Message:
    """Zeph sends a location under a new post (no caption: the bot will publish a signed
    line and the location after it); returns its card."""
    _, post = await post_article(telegram)
    thread = await thread_of(telegram, post)
    telegram.user_joins(DISCUSSION_CHAT_ID, ZEPH)
    telegram.user_sends_location(ZEPH, DISCUSSION_CHAT_ID, reply_to_message_id=thread["message_id"])
    return await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="location")


async def test_a_location_published_after_its_signed_line_is_taken_down_with_it(
    telegram: FakeTelegram, settings: Settings
) -> None:
    """A location typed under the post carries no caption: the bot publishes a signed line
    and the location after it, as a message of its own. Taken down by /forget, both go:
    where the reader was is as much theirs as what they wrote."""
    add_zeph(telegram)
    telegram.user_sends_text(ZEPH, "/start")
    async with running_bot(settings):
        card = await location_typed_under_a_post(telegram)
        await press(telegram, MODERATOR_ID, card, Decision.APPROVE)
        place = await telegram.wait_for(
            lambda: next(
                (m for m in telegram.bot_messages_in(DISCUSSION_CHAT_ID) if "location" in m), None
            )
        )
        signed = place["reply_to_message"]
        assert FIRST in signed["text"]

        telegram.user_sends_text(ZEPH, "/forget")
        asked = await telegram.wait_for_bot_message(ZEPH, contains="Forget me")
        await press_forget(telegram, ZEPH, asked, "down")
        await telegram.wait_for(lambda: gone(telegram, DISCUSSION_CHAT_ID, signed["message_id"]))
        await telegram.wait_for(lambda: gone(telegram, DISCUSSION_CHAT_ID, place["message_id"]))


@pytest.mark.parametrize("choice", ["cancel", "down"])
async def test_a_confirmation_tapped_twice_is_answered_both_times(
    telegram: FakeTelegram, settings: Settings, choice: str
) -> None:
    """A double tap sends two presses before the confirmation loses its buttons: the
    second finds the message already saying what the first did (Telegram refuses an edit
    that changes nothing) and is answered quietly, not with an error."""
    add_zeph(telegram)
    # Both presses left before either edit: the bot cannot foresee the second's refusal.
    telegram.expect_bad_request("message is not modified")
    async with running_bot(settings):
        telegram.user_sends_text(ZEPH, "/forget")
        asked = await telegram.wait_for_bot_message(ZEPH, contains="Forget me")
        first = await press_forget(telegram, ZEPH, asked, choice)
        second = await press_forget(telegram, ZEPH, asked, choice)
        assert "went wrong" not in (first.get("text") or "")
        assert "went wrong" not in (second.get("text") or "")


async def test_a_location_in_flight_when_its_author_is_forgotten_is_not_published_after(
    telegram: FakeTelegram, settings: Settings
) -> None:
    """The signed line of a location is on its way to Telegram when its author taps
    Forget: the line lands and comes down, and the location, which was to follow it, is
    not published after the take-down."""
    add_zeph(telegram)
    telegram.user_sends_text(ZEPH, "/start")
    async with running_bot(settings):
        card = await location_typed_under_a_post(telegram)

        async def forget_meanwhile() -> None:
            telegram.user_sends_text(ZEPH, "/forget")
            asked = await telegram.wait_for_bot_message(ZEPH, contains="Forget me")
            await press_forget(telegram, ZEPH, asked, "down")
            await wait_for_rows(settings, "SELECT 1 FROM forgotten_readers WHERE user_id = ?", ZEPH)

        telegram.before_next("sendMessage", forget_meanwhile, chat_id=DISCUSSION_CHAT_ID)
        await press(telegram, MODERATOR_ID, card, Decision.APPROVE)
        await telegram.wait_for(
            lambda: any(
                c.method == "deleteMessage" and c.status == 200
                for c in telegram.calls
                if c.params.get("chat_id") in (DISCUSSION_CHAT_ID, str(DISCUSSION_CHAT_ID))
            )
        )
        await wait_for_outbox(settings, lambda statuses: "pending" not in statuses.values())
        assert [m for m in telegram.messages_in(DISCUSSION_CHAT_ID) if "location" in m] == []
