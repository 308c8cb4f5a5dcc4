"""Replies bring readers back: the author of a published comment that is answered hears
it privately (in their language, with the reply and a link to it), at most once per
thread every ten minutes, unless they sent /notifications off."""

from __future__ import annotations

from pathlib import Path

import aiosqlite

from bot.services.verdicts import Decision
from bot.settings import Settings
from sandbox.bot_api import FakeTelegram
from tests.e2e.harness import READER_IDS, populate, running_bot, wait_for_outbox
from tests.e2e.steps import (
    Message,
    comment,
    post_article,
    press,
    start_payload,
    thread_of,
    types_under,
)
from tests.factories import (
    CHANNEL_ID,
    DISCUSSION_CHAT_ID,
    MODERATION_CHAT_ID,
    MODERATOR_ID,
    make_settings,
)

AUTHOR, REPLIER, LATE_REPLIER = READER_IDS
SPANISH_AUTHOR = 2500


async def published_comment(
    telegram: FakeTelegram, reader_id: int, post: Message, text: str
) -> Message:
    """A reader comments through the bot, a moderator approves: its post in the thread."""
    card = await comment(telegram, reader_id, post, text)
    await press(telegram, MODERATOR_ID, card, Decision.APPROVE)
    return await telegram.wait_for_bot_message(DISCUSSION_CHAT_ID, contains=text)


async def approved_reply(
    telegram: FakeTelegram, reader_id: int, answered: Message, text: str
) -> Message:
    """A reader (who has opened the bot) types a reply in the thread; approved, the bot
    posts it. Returns that post, once its author heard "published" (queued with the
    notice the reply owes, in one transaction)."""
    types_under(telegram, reader_id, text, answered["message_id"])
    card = await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains=text)
    await press(telegram, MODERATOR_ID, card, Decision.APPROVE)
    posted = await telegram.wait_for_bot_message(DISCUSSION_CHAT_ID, contains=text)
    await telegram.wait_for_bot_message(reader_id, contains="was published")
    return posted


async def notices_queued(settings: Settings) -> list[int]:
    """Whom a reply notice was queued for, from the bot's own database."""
    async with (
        aiosqlite.connect(settings.database_path) as conn,
        conn.execute("SELECT chat_key FROM outbox WHERE action = 'comment_answered'") as cursor,
    ):
        return [int(row[0]) for row in await cursor.fetchall()]


def links_of(message: Message) -> list[str]:
    return [entity["url"] for entity in message.get("entities", []) if "url" in entity]


def comment_link(post: Message, reply: Message) -> str:
    return (
        f"https://t.me/c/{str(CHANNEL_ID)[4:]}/{post['message_id']}?comment={reply['message_id']}"
    )


async def test_a_reply_in_the_thread_tells_the_author_once_in_ten_minutes(
    telegram: FakeTelegram, discussion_settings: Settings
) -> None:
    """A reader's comment is published; another replies in the thread (held, approved,
    posted by the bot): the author hears it privately, with the reply escaped and a link
    to it under the post. A third reader's reply, after a restart and within ten minutes,
    tells the author nothing more."""
    for reader in (REPLIER, LATE_REPLIER):
        telegram.user_sends_text(reader, "/start")
    async with running_bot(discussion_settings):
        _, post = await post_article(telegram)
        published = await published_comment(telegram, AUTHOR, post, "The budget is too small")
        reply = await approved_reply(telegram, REPLIER, published, "Not <so> small & fine")
        notice = await telegram.wait_for_bot_message(AUTHOR, contains="replied to your comment")
    assert reply["reply_to_message"]["message_id"] == published["message_id"]
    assert "Reader1 replied to your comment under “City budget passes”" in notice["text"]
    assert "Not <so> small & fine" in notice["text"]
    assert comment_link(post, reply) in links_of(notice)
    async with running_bot(discussion_settings):
        await approved_reply(telegram, LATE_REPLIER, published, "A later answer")
        assert await notices_queued(discussion_settings) == [AUTHOR]
    assert not [m for m in telegram.bot_messages_in(AUTHOR) if "A later answer" in m["text"]]


async def test_an_editors_answer_tells_the_author_in_their_language(
    telegram: FakeTelegram, database_path: Path
) -> None:
    """A moderator answers a Spanish reader's comment in the thread (their words stay up,
    unmoderated): the reader hears it at once, in Spanish; the reader's own reply under
    their comment tells nobody."""
    populate(telegram, with_discussion=True)
    telegram.add_user(SPANISH_AUTHOR, "Lupita", language_code="es-MX")
    settings = make_settings(
        database_path, telegram_api_url=telegram.base_url, discussion_chat_id=DISCUSSION_CHAT_ID
    )
    async with running_bot(settings):
        _, post = await post_article(telegram)
        telegram.user_sends_text(SPANISH_AUTHOR, "/start")
        await telegram.wait_for_bot_message(SPANISH_AUTHOR)
        card = await comment_in_spanish(telegram, post, "El presupuesto es poco")
        await press(telegram, MODERATOR_ID, card, Decision.APPROVE)
        published = await telegram.wait_for_bot_message(
            DISCUSSION_CHAT_ID, contains="El presupuesto es poco"
        )
        await telegram.wait_for_bot_message(SPANISH_AUTHOR, contains="Se publicó")
        await approved_reply_from_author(telegram, published)
        answer = types_under(
            telegram, MODERATOR_ID, "Thanks, we will look into it", published["message_id"]
        )
        notice = await telegram.wait_for_bot_message(SPANISH_AUTHOR, contains="respondió")
    assert "Mo Derator respondió a tu comentario" in notice["text"]
    assert "Thanks, we will look into it" in notice["text"]
    assert comment_link(post, answer) in links_of(notice)
    assert await notices_queued(settings) == [SPANISH_AUTHOR]


async def comment_in_spanish(telegram: FakeTelegram, post: Message, text: str) -> Message:
    telegram.user_sends_text(SPANISH_AUTHOR, f"/start {start_payload(post)}")
    await telegram.wait_for_bot_message(SPANISH_AUTHOR, contains="Envía tu comentario")
    telegram.user_sends_text(SPANISH_AUTHOR, text)
    return await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains=text)


async def approved_reply_from_author(telegram: FakeTelegram, published: Message) -> None:
    """The author answers their own comment: no notice is queued for it (checked after)."""
    types_under(telegram, SPANISH_AUTHOR, "Y otra cosa más", published["message_id"])
    card = await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="Y otra cosa")
    await press(telegram, MODERATOR_ID, card, Decision.APPROVE)
    await telegram.wait_for_bot_message(DISCUSSION_CHAT_ID, contains="Y otra cosa")
    await telegram.wait_for_bot_message(SPANISH_AUTHOR, contains="Se publicó")


async def test_notifications_off_means_no_notice(
    telegram: FakeTelegram, discussion_settings: Settings
) -> None:
    """/notifications shows the state, `off` turns reply notices off (a reply then tells
    the author nothing), `on` back on, and anything else is explained."""
    telegram.user_sends_text(REPLIER, "/start")
    async with running_bot(discussion_settings):
        _, post = await post_article(telegram)
        published = await published_comment(telegram, AUTHOR, post, "Turn it off")
        telegram.user_sends_text(AUTHOR, "/notifications")
        await telegram.wait_for_bot_message(AUTHOR, contains="Reply notices are on")
        telegram.user_sends_text(AUTHOR, "/notifications maybe")
        refusal = await telegram.wait_for_bot_message(AUTHOR, contains="I did not understand")
        telegram.user_sends_text(AUTHOR, "/notifications OFF")
        await telegram.wait_for_bot_message(AUTHOR, contains="I will not tell you")
        telegram.user_sends_text(AUTHOR, "/notifications")
        await telegram.wait_for_bot_message(AUTHOR, contains="Reply notices are off")
        await approved_reply(telegram, REPLIER, published, "Nobody hears this")
        assert await notices_queued(discussion_settings) == []
        telegram.user_sends_text(AUTHOR, "/notifications on")
        await telegram.wait_for_bot_message(AUTHOR, contains="I will tell you")
    assert "“maybe”" in refusal["text"]
    assert "/notifications on or /notifications off" in refusal["text"]
    assert not [m for m in telegram.bot_messages_in(AUTHOR) if "replied to your" in m["text"]]
    # In the command menu readers see, in each language.
    menus = [c.params["commands"] for c in telegram.calls if c.method == "setMyCommands"]
    assert len(menus) == 2
    assert all("notifications" in [item["command"] for item in menu] for menu in menus)


def thread_settings(telegram: FakeTelegram, database_path: Path, mode: str) -> Settings:
    populate(telegram, with_discussion=True)
    return make_settings(
        database_path,
        telegram_api_url=telegram.base_url,
        discussion_chat_id=DISCUSSION_CHAT_ID,
        thread_moderation=mode,
    )


async def test_with_post_moderation_a_reply_left_up_tells_the_author_at_once(
    telegram: FakeTelegram, database_path: Path
) -> None:
    """THREAD_MODERATION=post: a reply typed under a comment left up is public, so its
    author hears it before any moderator looks."""
    settings = thread_settings(telegram, database_path, "post")
    telegram.user_sends_text(AUTHOR, "/start")
    async with running_bot(settings):
        _, post = await post_article(telegram)
        thread = await thread_of(telegram, post)
        typed = types_under(telegram, AUTHOR, "Left up for all", thread["message_id"])
        await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="Left up for all")
        reply = types_under(telegram, REPLIER, "And answered at once", typed["message_id"])
        notice = await telegram.wait_for_bot_message(AUTHOR, contains="replied to your comment")
        # A reader who never opened the bot cannot be written to: Telegram refuses, and
        # the notice is settled without a retry or a failure.
        stranger = types_under(telegram, LATE_REPLIER, "Never opened it", thread["message_id"])
        await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="Never opened it")
        types_under(telegram, REPLIER, "Answering the stranger", stranger["message_id"])
        await telegram.wait_for(lambda: refused_notice(telegram, LATE_REPLIER))
        await wait_for_outbox(settings, lambda seen: seen["comment_answered"] == "delivered")
    assert "And answered at once" in notice["text"]
    assert comment_link(post, reply) in links_of(notice)
    assert await notices_queued(settings) == [AUTHOR, LATE_REPLIER]


def refused_notice(telegram: FakeTelegram, reader_id: int) -> bool:
    return any(
        call.method == "sendMessage"
        and str(call.params.get("chat_id")) == str(reader_id)
        and call.status == 403
        for call in telegram.calls
    )


async def test_without_moderation_a_reply_to_a_published_comment_tells_its_author(
    telegram: FakeTelegram, database_path: Path
) -> None:
    """THREAD_MODERATION=off: what readers type is public at once; a reply to a comment
    the bot published tells its author."""
    settings = thread_settings(telegram, database_path, "off")
    async with running_bot(settings):
        _, post = await post_article(telegram)
        published = await published_comment(telegram, AUTHOR, post, "Sent through the bot")
        reply = types_under(telegram, REPLIER, "Typed freely", published["message_id"])
        notice = await telegram.wait_for_bot_message(AUTHOR, contains="replied to your comment")
    assert "Typed freely" in notice["text"]
    assert comment_link(post, reply) in links_of(notice)


async def test_reply_through_the_bot_answers_the_reply_and_tells_its_author(
    telegram: FakeTelegram, discussion_settings: Settings
) -> None:
    """The notice's ↩️ Reply opens the article to answer the reply: the comment sent then
    is published under that reply in the thread, and the reply's author hears of it."""
    telegram.user_sends_text(REPLIER, "/start")
    async with running_bot(discussion_settings):
        article_id, post = await post_article(telegram)
        published = await published_comment(telegram, AUTHOR, post, "First thought")
        reply = await approved_reply(telegram, REPLIER, published, "Second thought")
        notice = await telegram.wait_for_bot_message(AUTHOR, contains="replied to your comment")
        payload = f"r{article_id}_{reply['message_id']}"
        assert f"https://t.me/newsroom_test_bot?start={payload}" in links_of(notice)
        telegram.user_sends_text(AUTHOR, f"/start {payload}")
        await telegram.wait_for_bot_message(AUTHOR, contains="as an answer to the reply")
        telegram.user_sends_text(AUTHOR, "Third thought, through the bot")
        card = await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="Third thought")
        await press(telegram, MODERATOR_ID, card, Decision.APPROVE)
        answer = await telegram.wait_for_bot_message(DISCUSSION_CHAT_ID, contains="Third thought")
        back = await telegram.wait_for_bot_message(REPLIER, contains="replied to your comment")
    assert answer["reply_to_message"]["message_id"] == reply["message_id"]
    assert "Reader0 replied" in back["text"]
    assert "Third thought, through the bot" in back["text"]


async def test_a_reply_link_to_a_message_under_another_post_opens_the_article_plainly(
    telegram: FakeTelegram, discussion_settings: Settings
) -> None:
    """A hand-made ↩️ Reply link naming a comment under another post (or no message of
    the thread at all) opens the article as its own link does: the comment sent then
    answers the article's post in its thread, not the other post's comment."""
    async with running_bot(discussion_settings):
        article_id, post = await post_article(telegram)
        _, other_post = await post_article(telegram, title="Other story entirely")
        elsewhere = await published_comment(telegram, REPLIER, other_post, "Under the other")
        thread = await thread_of(telegram, post)
        for message_id in (elsewhere["message_id"], 999_999):
            telegram.user_sends_text(AUTHOR, f"/start r{article_id}_{message_id}")
            view = await telegram.wait_for_bot_message(AUTHOR, contains="Send your comment")
            assert "answer to the reply" not in view["text"]
        telegram.user_sends_text(AUTHOR, "Meant for the budget")
        card = await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="Meant for")
        await press(telegram, MODERATOR_ID, card, Decision.APPROVE)
        answer = await telegram.wait_for_bot_message(DISCUSSION_CHAT_ID, contains="Meant for")
    assert answer["reply_to_message"]["message_id"] == thread["message_id"]
