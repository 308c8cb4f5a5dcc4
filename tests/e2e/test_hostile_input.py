"""Arbitrary Unicode through every text field of the running bot: no Bad Request, no crash."""

from __future__ import annotations

import itertools

import aiosqlite
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.services.verdicts import Decision
from bot.settings import Settings
from bot.text import one_line
from sandbox.bot_api import FakeTelegram
from tests.e2e.harness import RunningBot, submission_statuses
from tests.e2e.steps import post_article, press, start_payload
from tests.factories import ADMIN_ID, CHANNEL_ID, MODERATION_CHAT_ID, MODERATOR_ID

TRICKY = st.sampled_from(
    [
        "<",
        ">",
        "&",
        "&lt;",
        "<b>",
        "</i>",
        "<script>alert(1)</script>",
        "\u200b",
        "\u200f",
        "\u202e",
        "😀",
        "👩‍👩‍👧",
        "'; DROP TABLE submissions; --",
        "\n",
        "  ",
    ]
)
TEXT = (
    st.lists(st.one_of(TRICKY, st.text(min_size=1, max_size=20)), min_size=1, max_size=12)
    .map("".join)
    .filter(lambda text: text.strip() and not text.lstrip().startswith("/"))
)
AT_LIMITS = st.sampled_from(["é", "😀", "<", "&"]).flatmap(
    lambda char: st.sampled_from([1999, 2000, 2001]).map(lambda n: char * n)
)
# Fresh reader ids, so each example starts with a reader the bot has never seen.
READER_IDS = itertools.count(50_000)
HYPOTHESIS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@HYPOTHESIS
@given(title=TEXT, summary=TEXT, text=st.one_of(TEXT, AT_LIMITS), name=TEXT)
async def test_comments_with_any_text_and_names(
    telegram: FakeTelegram,
    bot: RunningBot,
    e2e_settings: Settings,
    title: str,
    summary: str,
    text: str,
    name: str,
) -> None:
    """Any title, summary, reader name and comment: posted, carded, approved, shown."""
    reader = next(READER_IDS)
    telegram.add_user(reader, name[:64], name[64:128] or None)
    telegram.user_sends_text(ADMIN_ID, f"/post https://blog.example/x\n{title}\n{summary}")
    await telegram.wait_for_bot_message(ADMIN_ID, contains="article #")
    post = telegram.bot_messages_in(CHANNEL_ID)[-1]
    telegram.user_sends_text(reader, f"/start {start_payload(post)}")
    await telegram.wait_for_bot_message(reader, contains="/cancel")
    telegram.user_sends_text(reader, text)
    answer = await telegram.wait_for_bot_message(reader)
    if len(text.strip()) > e2e_settings.comment_max_length:
        assert "the limit is" in answer["text"]
        return
    assert "awaits moderation" in answer["text"], answer["text"]
    card = await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="Comment #")
    await press(telegram, MODERATOR_ID, card, Decision.APPROVE)
    await telegram.wait_for_bot_message(reader, contains="was published")
    assert telegram.bad_requests() == []


@HYPOTHESIS
@given(
    name=st.one_of(TEXT, st.sampled_from(["n" * 100, "n" * 101])),
    email=TEXT,
    message=st.one_of(TEXT, st.sampled_from(["m" * 4000, "😀" * 4000, "m" * 4001])),
)
# A name of a direction mark alone is empty once folded to one line: asked again.
@example(name="\u200f", email="<", message="m" * 4001)
async def test_the_contact_form_with_any_text(
    telegram: FakeTelegram,
    bot: RunningBot,
    e2e_settings: Settings,
    name: str,
    email: str,
    message: str,
) -> None:
    """Any name, email and message: each step answers, valid forms reach a card."""
    reader = next(READER_IDS)
    telegram.add_user(reader, "Reader")
    telegram.user_sends_text(reader, "/contact")
    await telegram.wait_for_bot_message(reader, contains="What is your name?")
    telegram.user_sends_text(reader, name)
    answer = await telegram.wait_for_bot_message(reader)
    # The bot folds a name to one line (bot.text.one_line) before measuring it.
    if len(one_line(name)) > 100:
        assert "under 100 characters" in answer["text"]
        return
    if "That was empty" in answer["text"]:
        # Nothing left once folded to one line (direction marks, say): asked again.
        telegram.user_sends_text(reader, "Reader")
        await telegram.wait_for_bot_message(reader, contains="What is your email address?")
    telegram.user_sends_text(reader, email)
    answer = await telegram.wait_for_bot_message(reader)
    if "doesn't look right" in answer["text"]:
        telegram.user_sends_text(reader, "reader@example.com")
        await telegram.wait_for_bot_message(reader, contains="Now your message")
    telegram.user_sends_text(reader, message)
    answer = await telegram.wait_for_bot_message(reader)
    if len(message.strip()) > 4000:
        assert "the limit is 4000" in answer["text"]
        return
    assert "reached the editors" in answer["text"], answer["text"]
    # The examples share one bot: the same long text from many new readers within minutes
    # is a spam wave, caught with no card (stored before the reader was answered).
    if not await caught_as_a_wave(e2e_settings, reader):
        await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="Contact message #")
    assert telegram.bad_requests() == []


async def caught_as_a_wave(settings: Settings, reader: int) -> bool:
    async with (
        aiosqlite.connect(settings.database_path) as conn,
        conn.execute(
            "SELECT spam_reasons FROM submissions"
            " WHERE user_id = ? AND kind = 'contact' AND caught_at IS NOT NULL",
            (reader,),
        ) as cursor,
    ):
        rows = list(await cursor.fetchall())
    return any('"wave"' in (row[0] or "") for row in rows)


async def test_sql_looking_input_is_stored_and_shown_verbatim(
    telegram: FakeTelegram, bot: RunningBot, e2e_settings: Settings
) -> None:
    """Quotes, semicolons and SQL keywords are data: stored and shown exactly as sent."""
    sql = "Robert'); DROP TABLE submissions;-- \" OR 1=1 --"
    _, post = await post_article(telegram, title=sql)
    reader = next(READER_IDS)
    telegram.add_user(reader, sql)
    telegram.user_sends_text(reader, f"/start {start_payload(post)}")
    await telegram.wait_for_bot_message(reader, contains="/cancel")
    telegram.user_sends_text(reader, sql)
    card = await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="Comment #")
    assert card["text"].count(sql) == 3  # title, author name, text
    assert await submission_statuses(e2e_settings) == ["pending"]


# Digits of other scripts that `str.isdigit` accepts: superscript two and circled one,
# which `int()` refuses, and Arabic-Indic three, which it reads as 3.
OTHER_SCRIPTS_DIGITS = pytest.mark.parametrize(
    "digit", ["²", "٣", "①"], ids=["superscript", "arabic-indic", "circled"]
)


@OTHER_SCRIPTS_DIGITS
async def test_a_start_link_with_another_scripts_digit_is_answered_with_the_welcome(
    telegram: FakeTelegram, bot: RunningBot, caplog: pytest.LogCaptureFixture, digit: str
) -> None:
    """`/start a²` names no article: the reader gets the welcome with the latest articles,
    not "something went wrong" (nor the article a٣ would read as), and the update does not
    fail (a failed update is tried again and again)."""
    # Three articles (the links differ by the title's length), so that a٣ would open one.
    for title in ("One", "Second", "The third"):
        await post_article(telegram, title=title)
    reader = next(READER_IDS)
    telegram.add_user(reader, "Digits")
    telegram.user_sends_text(reader, f"/start a{digit}")
    await telegram.wait_for_bot_message(reader, contains="Welcome")
    telegram.user_sends_text(reader, "/help")
    await telegram.wait_for_bot_message(reader, contains="How to comment")
    assert len(telegram.bot_messages_in(reader)) == 2
    assert "Handling an update failed" not in caplog.text


@OTHER_SCRIPTS_DIGITS
async def test_an_id_in_another_scripts_digits_is_answered_with_the_usage(
    telegram: FakeTelegram, bot: RunningBot, caplog: pytest.LogCaptureFixture, digit: str
) -> None:
    """`/unban ²` in the moderation group and `/unpublish #²` from an admin: no id was
    typed, so each command explains its usage."""
    telegram.user_sends_text(MODERATOR_ID, f"/unban {digit}", chat_id=MODERATION_CHAT_ID)
    await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="Usage: /unban")
    telegram.user_sends_text(ADMIN_ID, f"/unpublish #{digit}")
    await telegram.wait_for_bot_message(ADMIN_ID, contains="Usage: /unpublish")
    assert "Handling an update failed" not in caplog.text
