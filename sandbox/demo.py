"""`--demo`: the sandbox's world filled as a newsroom's morning, through the bot itself.

Everything here is what people do in Telegram (an admin's /post, a reader's deep link and
comment, a contact form, spammers typing under a post) and what the blog's feed brings;
each step waits for the bot's answer, so the desks hold what a real morning leaves.
"""

from __future__ import annotations

import re
from typing import Any

from sandbox import world
from sandbox.blog import Blog
from sandbox.bot_api import FakeTelegram

# Generous: the bot paces its sends to the moderation group (20 a minute, as Telegram).
STEP_SECONDS = 60.0
# The feed is looked at every FEED_POLL_SECONDS (5 in the sandbox).
FEED_SECONDS = 60.0

ARTICLES = (
    (
        "https://blog.example/2026/12/city-budget",
        "City budget passes after a long night",
        "The council voted 7 to 4 at 3 a.m.; what changes for buses and libraries.",
    ),
    (
        "https://blog.example/2026/12/river-festival",
        "The river festival is back",
        "Three days of music on the east bank, from Friday.",
    ),
)
FEED_ARTICLE = ("Storm warning for the weekend", "Gusts up to 90 km/h expected on Saturday.")
# What the spam check's starter set surely catches (tests/e2e/test_spam_intake.py).
SPAM_WAVE = (
    "Earn $500 a day from home, DM me now on WhatsApp +1 555 123 4567 💰💰💰🔥🔥🔥",
    "Earn $500 a day from home!!! DM me now on WhatsApp +1 555 123 4567 💰💰💰🔥🔥",
    "Join our VIP crypto signals group t.me/+AbCdEf123 earn 500$ a day guaranteed!!! 💰💰💰🚀🚀🚀",
)
SPAMMER_IDS = (6001, 6002, 6003)

Message = dict[str, Any]


async def fill(telegram: FakeTelegram, blog: Blog) -> None:
    ada, lucia, sam = world.READERS
    posts = [await _post(telegram, url, title, summary) for url, title, summary in ARTICLES]
    feed_post = await _from_the_feed(telegram, blog)
    await _comment(telegram, ada.id, posts[0], "Good that libraries keep their Sunday hours.")
    await _comment(telegram, lucia.id, posts[1], "¡Qué bien! ¿Habrá conciertos para niños?")
    forward = await _thread_of(telegram, posts[0])
    telegram.user_sends_text(
        sam.id,
        "Buses every 10 minutes would change my commute. Any date for it?",
        chat_id=world.DISCUSSION_CHAT_ID,
        reply_to_message_id=forward["message_id"],
    )
    await telegram.wait_for_bot_message(world.MODERATION_CHAT_ID, "Buses every", STEP_SECONDS)
    await _contact(telegram, sam.id)
    await _spam_wave(telegram, await _thread_of(telegram, feed_post))
    # The review desk: what waits, in one message, opened as a moderator opens it.
    telegram.user_sends_text(world.MODERATORS[0].id, "/queue", chat_id=world.MODERATION_CHAT_ID)
    await telegram.wait_for_bot_message(world.MODERATION_CHAT_ID, "Review desk", STEP_SECONDS)


async def _post(telegram: FakeTelegram, url: str, title: str, summary: str) -> Message:
    telegram.user_sends_text(world.ADMIN.id, f"/post {url}\n{title}\n{summary}")
    await telegram.wait_for_bot_message(world.ADMIN.id, "Posted article #", STEP_SECONDS)
    return await telegram.wait_for_bot_message(world.CHANNEL_ID, title, STEP_SECONDS)


async def _from_the_feed(telegram: FakeTelegram, blog: Blog) -> Message:
    """An entry the blog publishes after the bot first read its feed (what it finds the
    first time it records, and does not post)."""
    await blog.first_fetch(FEED_SECONDS)
    title, summary = FEED_ARTICLE
    blog.publish(title, summary)
    return await telegram.wait_for_bot_message(world.CHANNEL_ID, title, FEED_SECONDS)


async def _comment(telegram: FakeTelegram, reader_id: int, post: Message, text: str) -> None:
    """The reader taps the post's comment link (a deep link to the bot), then writes."""
    telegram.user_sends_text(reader_id, f"/start {_start_payload(post)}")
    await telegram.wait_for_bot_message(reader_id, None, STEP_SECONDS)
    telegram.user_sends_text(reader_id, text)
    await telegram.wait_for_bot_message(reader_id, "✅", STEP_SECONDS)
    await telegram.wait_for_bot_message(world.MODERATION_CHAT_ID, text[:20], STEP_SECONDS)


async def _contact(telegram: FakeTelegram, reader_id: int) -> None:
    for text in ("/contact", "Sam Reader", "sam@example.org"):
        telegram.user_sends_text(reader_id, text)
        await telegram.wait_for_bot_message(reader_id, None, STEP_SECONDS)
    telegram.user_sends_text(
        reader_id, "Hello! There is a typo in the budget piece: it was 7 to 4, not 7 to 3."
    )
    await telegram.wait_for_bot_message(reader_id, "✅", STEP_SECONDS)
    await telegram.wait_for_bot_message(world.MODERATION_CHAT_ID, "typo", STEP_SECONDS)


async def _spam_wave(telegram: FakeTelegram, forward: Message) -> None:
    """Three new accounts type spam under a post at once: the bot takes it down."""
    for number, (spammer_id, text) in enumerate(zip(SPAMMER_IDS, SPAM_WAVE, strict=True)):
        telegram.add_user(spammer_id, f"Promo{number + 1}", None, f"promo_deals_{number + 1}")
        telegram.user_sends_text(
            spammer_id,
            text,
            chat_id=world.DISCUSSION_CHAT_ID,
            reply_to_message_id=forward["message_id"],
        )

    def taken_down() -> bool:
        texts = {m.get("text") for m in telegram.messages_in(world.DISCUSSION_CHAT_ID)}
        return not texts & set(SPAM_WAVE)

    await telegram.wait_for(taken_down, STEP_SECONDS)


async def _thread_of(telegram: FakeTelegram, post: Message) -> Message:
    """The post's automatic forward in the discussion group: its comment thread's root."""

    def forward() -> Message | None:
        return next(
            (
                message
                for message in telegram.messages_in(world.DISCUSSION_CHAT_ID)
                if message.get("forward_origin", {}).get("message_id") == post["message_id"]
            ),
            None,
        )

    found: Message = await telegram.wait_for(forward, STEP_SECONDS)
    return found


def _start_payload(post: Message) -> str:
    """The deep-link payload the post carries, in its button or its text link."""
    urls = [
        button.get("url", "")
        for row in post.get("reply_markup", {}).get("inline_keyboard", [])
        for button in row
    ]
    urls += [entity.get("url", "") for entity in post.get("entities", [])]
    for url in urls:
        match = re.search(r"\?start=([A-Za-z0-9_-]{1,64})$", url)
        if match:
            return match[1]
    raise ValueError(f"no deep link in post {post['message_id']}")
