"""The moderation group reads the bot in MODERATION_LANGUAGE, whatever language the
reader whose comment it shows speaks."""

from __future__ import annotations

import pytest

from bot.i18n import Texts
from bot.settings import Settings
from sandbox.bot_api import FakeTelegram
from tests.e2e.harness import READER_IDS, running_bot
from tests.e2e.steps import post_article, start_payload
from tests.factories import MODERATION_CHAT_ID

CARD_HEADER = "💬 <b>Comment #{id}</b>"


@pytest.mark.skipif(
    Texts("es").gettext(CARD_HEADER) == CARD_HEADER,
    reason="the Spanish catalog does not translate the card's header yet",
)
async def test_a_card_speaks_the_moderators_language_to_an_english_reader(
    telegram: FakeTelegram, e2e_settings: Settings
) -> None:
    reader = READER_IDS[0]
    async with running_bot(e2e_settings.model_copy(update={"moderation_language": "es"})):
        _, post = await post_article(telegram)
        telegram.user_sends_text(reader, f"/start {start_payload(post)}")
        await telegram.wait_for_bot_message(reader, contains="Send your comment")
        telegram.user_sends_text(reader, "Great analysis")
        await telegram.wait_for_bot_message(reader, contains="awaits moderation")
        card = await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="Great analysis")
    assert "💬 Comentario #" in card["text"]
    assert "Comment #" not in card["text"]
