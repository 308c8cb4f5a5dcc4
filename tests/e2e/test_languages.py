"""The bot answers each reader in their own language: Telegram's language_code, or the
one they chose with /language."""

from __future__ import annotations

import pytest
from telegram import BotCommandScopeAllPrivateChats

from bot.services.verdicts import Decision
from bot.settings import Settings
from sandbox.bot_api import FakeTelegram
from storage import intake
from tests.e2e.harness import READER_IDS, RunningBot, running_bot
from tests.e2e.steps import post_article, press, start_payload, thread_of, types_under
from tests.factories import (
    ADMIN_ID,
    CHANNEL_ID,
    DISCUSSION_CHAT_ID,
    MODERATION_CHAT_ID,
    MODERATOR_ID,
)
from tests.faults import fail_first

SPANISH_READER, FRENCH_READER = 3001, 3002


async def test_spanish_from_telegram_english_otherwise_and_a_choice_that_sticks(
    telegram: FakeTelegram, bot: RunningBot
) -> None:
    telegram.add_user(SPANISH_READER, "Lupita", language_code="es-MX")
    telegram.add_user(FRENCH_READER, "Amélie", language_code="fr")
    telegram.user_sends_text(SPANISH_READER, "/start")
    welcome = await telegram.wait_for_bot_message(SPANISH_READER, contains="Hola")
    assert "Un moderador lee cada comentario" in welcome["text"]
    assert welcome["reply_markup"]["inline_keyboard"][-1][0]["text"] == (
        "✉️ Escribir a la redacción"
    )
    telegram.user_sends_text(SPANISH_READER, "/help")
    await telegram.wait_for_bot_message(SPANISH_READER, contains="Cómo comentar")
    telegram.user_sends_text(FRENCH_READER, "/help")
    await telegram.wait_for_bot_message(FRENCH_READER, contains="How to comment")

    telegram.user_sends_text(FRENCH_READER, "/language")
    choice = await telegram.wait_for_bot_message(FRENCH_READER, contains="Which language")
    [buttons] = choice["reply_markup"]["inline_keyboard"]
    assert [b["text"] for b in buttons] == ["English", "Español"]
    query = telegram.user_presses_button(
        FRENCH_READER, FRENCH_READER, choice["message_id"], buttons[1]["callback_data"]
    )
    await telegram.wait_for(lambda: telegram.callback_answers.get(query))
    await telegram.wait_for_bot_message(FRENCH_READER, contains="te escribo en español")
    telegram.user_sends_text(FRENCH_READER, "/help")
    await telegram.wait_for_bot_message(FRENCH_READER, contains="Cómo comentar")
    # The choice outranks Telegram's language_code in the acknowledgement too, whose
    # language is settled when the comment is stored.
    _, post = await post_article(telegram)
    telegram.user_sends_text(FRENCH_READER, f"/start {start_payload(post)}")
    await telegram.wait_for_bot_message(FRENCH_READER, contains="Envía tu comentario")
    telegram.user_sends_text(FRENCH_READER, "Très bien")
    await telegram.wait_for_bot_message(FRENCH_READER, contains="Recibimos tu comentario")


async def test_the_channel_post_speaks_the_channels_language(
    telegram: FakeTelegram, e2e_settings: Settings
) -> None:
    async with running_bot(e2e_settings.model_copy(update={"channel_language": "es"})):
        _, post = await post_article(telegram)
    assert "Leer el artículo" in post["text"]
    [[button]] = post["reply_markup"]["inline_keyboard"]
    assert button["text"] == "💬 Comentarios (0)"


async def test_a_spanish_reader_comments_and_hears_the_outcome_in_spanish(
    telegram: FakeTelegram, bot: RunningBot
) -> None:
    telegram.add_user(SPANISH_READER, "Lupita", language_code="es-419")
    _, post = await post_article(telegram)
    telegram.user_sends_text(SPANISH_READER, f"/start {start_payload(post)}")
    view = await telegram.wait_for_bot_message(SPANISH_READER, contains="Envía tu comentario")
    assert "Aún no hay comentarios" in view["text"]
    telegram.user_sends_text(SPANISH_READER, "Muy buen análisis")
    await telegram.wait_for_bot_message(SPANISH_READER, contains="Recibimos tu comentario")
    card = await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="Muy buen análisis")
    await press(telegram, MODERATOR_ID, card, Decision.APPROVE)
    published = await telegram.wait_for_bot_message(SPANISH_READER, contains="Se publicó")
    assert "Muy buen análisis" in published["text"]
    assert not [
        m for m in telegram.bot_messages_in(SPANISH_READER) if "Thanks" in m.get("text", "")
    ]


async def test_a_spanish_reader_fills_the_contact_form_in_spanish(
    telegram: FakeTelegram, bot: RunningBot
) -> None:
    """Every step and error of the form, and the editors' answer, in the reader's words."""
    telegram.add_user(SPANISH_READER, "Lupita", language_code="es-MX")
    telegram.user_sends_text(SPANISH_READER, "/contact")
    await telegram.wait_for_bot_message(SPANISH_READER, contains="¿Cómo te llamas?")
    telegram.user_sends_text(SPANISH_READER, "Lupita Hernández")
    await telegram.wait_for_bot_message(SPANISH_READER, contains="¿Cuál es tu correo")
    telegram.user_sends_text(SPANISH_READER, "lupita.ejemplo.com")
    refusal = await telegram.wait_for_bot_message(SPANISH_READER, contains="no parece correcto")
    assert "lleva una @" in refusal["text"]
    telegram.user_sends_text(SPANISH_READER, "lupita@ejemplo.com")
    await telegram.wait_for_bot_message(SPANISH_READER, contains="Ahora escribe tu mensaje")
    telegram.user_sends_text(SPANISH_READER, "¿Cuándo sale la segunda parte?")
    await telegram.wait_for_bot_message(SPANISH_READER, contains="llegó a la redacción")
    card = await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="Contact message")
    telegram.user_sends_text(
        MODERATOR_ID,
        "El viernes.",
        chat_id=MODERATION_CHAT_ID,
        reply_to_message_id=card["message_id"],
    )
    answer = await telegram.wait_for_bot_message(
        SPANISH_READER, contains="Respuesta de la redacción"
    )
    assert "El viernes." in answer["text"]
    english = [
        m["text"]
        for m in telegram.bot_messages_in(SPANISH_READER)
        if any(word in m["text"] for word in ("Thanks", "Please", "editors", "message"))
    ]
    assert english == []


async def test_the_command_menu_and_rare_answers_speak_spanish_too(
    telegram: FakeTelegram, bot: RunningBot
) -> None:
    application_bot = bot.bot_app.application.bot
    scope = BotCommandScopeAllPrivateChats()
    spanish = await application_bot.get_my_commands(scope=scope, language_code="es")
    default = await application_bot.get_my_commands(scope=scope)
    assert spanish[0].description == "Últimos artículos"
    assert default[0].description == "Latest articles"
    assert [c.command for c in spanish] == [c.command for c in default]
    telegram.add_user(SPANISH_READER, "Lupita", language_code="es")
    telegram.user_sends_text(SPANISH_READER, "/cancel")
    await telegram.wait_for_bot_message(SPANISH_READER, contains="No hay nada que cancelar")
    telegram.user_sends_text(SPANISH_READER, "/nope")
    await telegram.wait_for_bot_message(SPANISH_READER, contains="No conozco ese comando")
    telegram.user_sends_text(SPANISH_READER, "hola")
    await telegram.wait_for_bot_message(SPANISH_READER, contains="Para comentar, abre")


async def test_the_comment_link_under_a_post_speaks_the_channels_language(
    telegram: FakeTelegram, discussion_settings: Settings
) -> None:
    async with running_bot(discussion_settings.model_copy(update={"channel_language": "es"})):
        _, post = await post_article(telegram)
    assert "Comentar" in post["text"] and "Comment" not in post["text"]


async def test_an_admin_reads_their_commands_and_later_notices_in_their_language(
    telegram: FakeTelegram, bot: RunningBot
) -> None:
    """The admin's Telegram language, seen on a command, is kept: the notices the outbox
    sends them later (the article posted, the moderation chat lost) are in it too."""
    telegram.add_user(ADMIN_ID, "Alicia", "Admin", "alicia_admin", language_code="es-MX")
    telegram.user_sends_text(ADMIN_ID, "/articles")
    await telegram.wait_for_bot_message(
        ADMIN_ID, contains="Todavía no hay artículos. Publica uno con /post."
    )
    telegram.user_sends_text(ADMIN_ID, "/post https://blog.example/presupuesto\nPresupuesto")
    posted = await telegram.wait_for_bot_message(ADMIN_ID, contains="Publiqué el artículo #1")
    assert "Retíralo con /unpublish 1" in posted["text"]
    post = await telegram.wait_for_bot_message(CHANNEL_ID, contains="Presupuesto")
    telegram.user_sends_text(ADMIN_ID, "/articles")
    listed = await telegram.wait_for_bot_message(ADMIN_ID, contains="Artículos recientes")
    assert "#1 Presupuesto – 💬 0 publicados, 0 pendientes" in listed["text"]

    telegram.remove_bot_from(MODERATION_CHAT_ID)
    reader = READER_IDS[0]
    telegram.user_sends_text(reader, f"/start {start_payload(post)}")
    await telegram.wait_for_bot_message(reader, contains="Send your comment")
    telegram.user_sends_text(reader, "A comment while the moderators are away")
    down = await telegram.wait_for_bot_message(
        ADMIN_ID, contains="No puedo publicar en el chat de moderación"
    )
    assert "en cola ahora" in down["text"]
    english = [
        m["text"]
        for m in telegram.bot_messages_in(ADMIN_ID)
        if any(word in m["text"] for word in ("article", "Posted", "moderation chat"))
    ]
    assert english == []


async def test_something_gone_wrong_is_said_in_the_language_the_reader_chose(
    telegram: FakeTelegram, e2e_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An English Telegram, Spanish chosen: the error handler reads the choice too."""
    telegram.add_user(FRENCH_READER, "Amélie", language_code="en")
    # Twice: a batch that fails is tried again comment by comment before the handler fails.
    failures = fail_first(monkeypatch, intake, "comment_arrivals", 2)
    async with running_bot(e2e_settings):
        _, post = await post_article(telegram)
        telegram.user_sends_text(FRENCH_READER, "/language")
        choice = await telegram.wait_for_bot_message(FRENCH_READER, contains="Which language")
        [buttons] = choice["reply_markup"]["inline_keyboard"]
        query = telegram.user_presses_button(
            FRENCH_READER, FRENCH_READER, choice["message_id"], buttons[1]["callback_data"]
        )
        await telegram.wait_for(lambda: telegram.callback_answers.get(query))
        telegram.user_sends_text(FRENCH_READER, f"/start {start_payload(post)}")
        await telegram.wait_for_bot_message(FRENCH_READER, contains="Envía tu comentario")
        telegram.user_sends_text(FRENCH_READER, "Un comentario")
        await telegram.wait_for_bot_message(FRENCH_READER, contains="algo falló de nuestro lado")
        await telegram.wait_for_bot_message(FRENCH_READER, contains="Recibimos tu comentario")
    assert failures.left == 0


async def test_a_spanish_author_is_told_in_the_thread_in_spanish(
    telegram: FakeTelegram, discussion_settings: Settings
) -> None:
    """The short notice under a post is addressed to one author: in their language (the
    channel's, CHANNEL_LANGUAGE=en here, for an author whose language is unknown)."""
    telegram.add_user(SPANISH_READER, "Lupita", language_code="es-MX")
    async with running_bot(discussion_settings):
        _, post = await post_article(telegram)
        thread = await thread_of(telegram, post)
        types_under(telegram, SPANISH_READER, "Muy buen análisis", thread["message_id"])
        notice = await telegram.wait_for_bot_message(DISCUSSION_CHAT_ID, contains="Lupita")
        assert "espera a un moderador" in notice["text"]
        telegram.add_user(4004, "Pat")
        types_under(telegram, 4004, "Nice work", thread["message_id"])
        english = await telegram.wait_for_bot_message(DISCUSSION_CHAT_ID, contains="Pat")
        assert "waits for a moderator" in english["text"]
