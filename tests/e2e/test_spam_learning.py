"""Learning at intake: a kind of spam the starter set does not know becomes cards until
moderators mark 3 examples of it 🧹 Spam; the next copies typed under a post, from new
accounts and worded otherwise, are removed at once with no card, and a genuine comment
still gets its card."""

from __future__ import annotations

from pathlib import Path

import aiosqlite

from bot.services.verdicts import Decision
from bot.settings import Settings
from sandbox.bot_api import FakeTelegram
from tests.e2e.harness import populate, running_bot
from tests.e2e.steps import card_without_buttons, post_article, press, thread_of, types_under
from tests.factories import DISCUSSION_CHAT_ID, MODERATION_CHAT_ID, MODERATOR_ID, make_settings

# Puppy scams, three wordings: `python -m bot spam check` on the starter set alone scores
# each ham (0.01 to 0.09). Not copies of one another (their resemblance is under 0.1), so
# each is a decision of its own, not one wave settled by one tap.
MARKED = [
    "Adorable teacup Maltipoo puppies ready for rehoming, vaccinated and vet checked,"
    " ask Lisa at puppyhaven",
    "We have two Yorkie babies looking for a loving family, shots done, delivery available."
    " Text Lisa from puppyhaven",
    "Rehoming my Pomeranian puppy, health papers and crate included, only the transport"
    " fee. Message Lisa of puppyhaven",
]
# Two of them lightly changed, as the next accounts of a wave send them.
LATER = [
    "Adorable teacup Maltipoo puppies ready for rehoming, vet checked and vaccinated, ask"
    " Lisa at puppyhaven now",
    "We have two Yorkie babies looking for a loving home, shots done, delivery available!"
    " Text Lisa from puppyhaven",
]
GENUINE = "My neighbour adopted a rescue dog last spring, and the shelter was wonderful."
FIRST_SPAMMER = 81_001
READER = 82_001


def in_group(telegram: FakeTelegram, message_id: int) -> bool:
    return telegram.message(DISCUSSION_CHAT_ID, message_id) is not None


async def caught_reasons(settings: Settings) -> list[tuple[str, str]]:
    """What the check removed by itself, with the reasons it stored."""
    async with (
        aiosqlite.connect(settings.database_path) as conn,
        conn.execute(
            "SELECT text, spam_reasons FROM submissions WHERE caught_at IS NOT NULL ORDER BY id"
        ) as cursor,
    ):
        return [(row[0], row[1]) for row in await cursor.fetchall()]


async def test_three_marks_then_the_kind_is_caught_under_a_post(
    telegram: FakeTelegram, database_path: Path
) -> None:
    """Three puppy scams from three accounts are cards (the starter set thinks them ham);
    once each is marked 🧹, two more from new accounts, lightly changed, are deleted and
    their authors banned with no card, while a genuine comment about dogs is carded."""
    populate(telegram, with_discussion=True)
    settings = make_settings(
        database_path,
        telegram_api_url=telegram.base_url,
        discussion_chat_id=DISCUSSION_CHAT_ID,
    )
    spammers = [FIRST_SPAMMER + n for n in range(len(MARKED) + len(LATER))]
    for spammer in spammers:
        telegram.add_user(spammer, f"Pup {spammer}")
    telegram.add_user(READER, "Dana")
    async with running_bot(settings):
        _, post = await post_article(telegram)
        under = (await thread_of(telegram, post))["message_id"]
        cards = []
        for spammer, text in zip(spammers, MARKED, strict=False):
            types_under(telegram, spammer, text, under)
            cards.append(await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains=text))
        assert all("Likely spam" not in card["text"] for card in cards)
        for card in cards:
            answer = await press(telegram, MODERATOR_ID, card, Decision.SPAM)
            assert answer["text"].startswith("Marked spam")
            await card_without_buttons(telegram, card)
        typed = [
            types_under(telegram, spammer, text, under)
            for spammer, text in zip(spammers[len(MARKED) :], LATER, strict=True)
        ]
        later_spammers = spammers[len(MARKED) :]
        await telegram.wait_for(
            lambda: not any(in_group(telegram, message["message_id"]) for message in typed)
        )
        await telegram.wait_for(
            lambda: all(
                telegram.chat_member_status(DISCUSSION_CHAT_ID, spammer) == "kicked"
                for spammer in later_spammers
            )
        )
        types_under(telegram, READER, GENUINE, under)
        card = await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="rescue dog")
        assert "Likely spam" not in card["text"]
        # Cards go out in order: the genuine one's is out, so the later scams' would be.
        shown = " ".join(m.get("text", "") for m in telegram.bot_messages_in(MODERATION_CHAT_ID))
        assert all(text not in shown for text in LATER)
    caught = await caught_reasons(settings)
    assert sorted(text for text, _ in caught) == sorted(LATER)
    assert all('"similar_spam"' in reasons for _, reasons in caught)
