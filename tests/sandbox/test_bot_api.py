"""The fake Bot API server refuses and answers what the real one does, over real HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    MessageOriginChannel,
    ReplyParameters,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
)
from telegram.ext import ApplicationBuilder, CommandHandler, ContextTypes

from sandbox.bot_api import (
    FakeTelegram,
    loopback_request,
    parse_html,
    strip_formatted_text,
    validate_object,
)
from sandbox.bot_api.client import shared_ssl_context
from sandbox.bot_api.reference import validate_result
from sandbox.bot_api.server import PRIVATE_BURST

USER = 1001
OTHER_USER = 1002
STRANGER = 1003
CHANNEL = -1001000000001
GROUP = -1001000000002
OTHER_GROUP = -1001000000003


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    server = FakeTelegram()
    await server.start()
    server.add_user(USER, "Ann", "Lee", username="ann")
    server.add_user(OTHER_USER, "Bob")
    server.add_user(STRANGER, "Cy")
    server.add_channel(CHANNEL, "Newsroom", username="newsroom", linked_chat_id=GROUP)
    server.add_group(
        GROUP,
        "Newsroom comments",
        member_ids=[USER],
        admin_ids=[OTHER_USER],
        linked_channel_id=CHANNEL,
    )
    server.add_group(OTHER_GROUP, "Editors")
    yield server
    await server.stop()


def make_bot(fake: FakeTelegram, token: str | None = None) -> Bot:
    return Bot(
        token or fake.token,
        base_url=fake.base_url,
        base_file_url=fake.base_url.removesuffix("/bot") + "/file/bot",
        request=loopback_request(),
        get_updates_request=loopback_request(),
    )


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    async with make_bot(fake) as client:
        yield client


@pytest.fixture
def private_chat(fake: FakeTelegram) -> int:
    fake.user_sends_text(USER, "/start")
    return USER


def keyboard(*data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(d, callback_data=d) for d in data]])


async def raw_call(fake: FakeTelegram, method: str, **kwargs: Any) -> httpx.Response:
    async with httpx.AsyncClient(verify=shared_ssl_context()) as client:
        return await client.post(f"{fake.base_url}{fake.token}/{method}", **kwargs)


def assert_every_answer_matches_reference(fake: FakeTelegram) -> None:
    for call in fake.calls:
        if call.status == 200:
            assert validate_result(call.method, call.response["result"]) == [], call


# --------------------------------------------------------------------------- protocol


async def test_get_me_answers_the_configured_bot(fake, bot):
    """getMe returns the bot user, and PTB's initialize() accepts it."""
    me = await bot.get_me()
    assert (me.id, me.username, me.is_bot) == (fake.bot_id, "newsroom_test_bot", True)
    assert_every_answer_matches_reference(fake)


async def test_wrong_token_is_unauthorized(fake):
    """A token the server does not know is answered 401 Unauthorized."""
    with pytest.raises(InvalidToken):
        async with make_bot(fake, token="999:WRONG"):
            pass
    assert fake.calls[-1].status == 401


async def test_unknown_method_is_404_and_unimplemented_is_501(fake, bot):
    """Unknown names are 404 Not Found; real methods the fake lacks fail loudly with 501."""
    response = await raw_call(fake, "sendTelepathy", data={"chat_id": "1"})
    assert response.status_code == 404
    assert response.json() == {"ok": False, "error_code": 404, "description": "Not Found"}

    with pytest.raises(NetworkError, match="fake: method sendDice not implemented"):
        await bot.send_dice(GROUP)
    assert fake.errors()[-1].status == 501


async def test_missing_required_parameters_are_refused(fake):
    """Required parameters from the reference are enforced with Telegram's wording."""
    no_chat = await raw_call(fake, "sendMessage", data={"text": "hi"})
    assert no_chat.status_code == 400
    assert no_chat.json()["description"] == "Bad Request: chat_id is empty"
    no_text = await raw_call(fake, "sendMessage", data={"chat_id": str(GROUP)})
    assert no_text.json()["description"] == "Bad Request: message text is empty"
    assert len(fake.bad_requests()) == 2


async def test_json_and_empty_bodies_are_accepted(fake):
    """JSON bodies work, and getMe may come with no body and no content type."""
    sent = await raw_call(fake, "sendMessage", json={"chat_id": GROUP, "text": "json body"})
    assert sent.json()["result"]["text"] == "json body"
    async with httpx.AsyncClient(verify=shared_ssl_context()) as client:
        me = await client.post(f"{fake.base_url}{fake.token}/getMe")
    assert me.json()["result"]["id"] == fake.bot_id


async def test_unknown_chat_is_not_found(bot):
    """Chats the bot does not know answer `chat not found`."""
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(-100999, "hello")
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message("@nosuchchannel", "hello")


async def test_channel_username_addresses_the_channel(fake, bot):
    """chat_id may be @username for a channel that has one."""
    post = await bot.send_message("@newsroom", "by username")
    assert post.chat.id == CHANNEL
    assert fake.bot_messages_in(CHANNEL)[-1]["text"] == "by username"


# --------------------------------------------------------------------------- text


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<script>alert(1)</script>", 'unsupported start tag "script" at byte offset 0'),
        ("<b>bold", 'can\'t find end tag corresponding to start tag "b"'),
        ("1 < 2", 'unsupported start tag "" at byte offset 2'),
        ("<b>x</i>", 'unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("é<span>x</span>", 'tag "span" must have class "tg-spoiler" at byte offset 2'),
    ],
)
async def test_invalid_html_is_refused(bot, html, expected):
    """Invalid Bot API HTML raises BadRequest with the real parser's message."""
    with pytest.raises(BadRequest) as error:
        await bot.send_message(GROUP, html, parse_mode=ParseMode.HTML)
    assert error.value.message.lower() == f"can't parse entities: {expected}"


async def test_escaped_html_round_trips_to_plain_text(fake, bot):
    """Entities are decoded, tags become entities, and the plain text is what is stored."""
    html = (
        "  <b>Tom &amp; Jerry</b> &lt;3 &quot;q&quot; &#169;&#x1F600; "
        '<a href="https://example.com">site</a> '
    )
    sent = await bot.send_message(GROUP, html, parse_mode=ParseMode.HTML)
    assert sent.text == 'Tom & Jerry <3 "q" ©😀 site'
    stored = fake.message(GROUP, sent.message_id)
    assert stored is not None
    assert stored["text"] == sent.text
    assert stored["entities"] == [
        {"type": "bold", "offset": 0, "length": 11},
        {"type": "text_link", "offset": 23, "length": 4, "url": "https://example.com/"},
    ]


async def test_text_without_parse_mode_is_literal(bot):
    """Without parse_mode, markup characters are just text."""
    sent = await bot.send_message(GROUP, "<b>not bold</b> &amp;")
    assert sent.text == "<b>not bold</b> &amp;"
    assert sent.entities == ()


async def test_length_is_counted_after_parsing(bot):
    """4096 characters after parsing pass; 4097 are too long; whitespace only is empty."""
    sent = await bot.send_message(GROUP, "&amp;" * 4096, parse_mode=ParseMode.HTML)
    assert sent.text == "&" * 4096
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(GROUP, "&amp;" * 4097, parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(GROUP, "<b> </b>\n", parse_mode=ParseMode.HTML)


def test_parser_builds_nested_and_special_entities():
    """Nesting, pre with a language, spoilers, expandable quotes and UTF-16 offsets."""
    text, entities = parse_html(
        '😀<b><i>x</i></b><pre><code class="language-python">y</code></pre>'
        '<span class="tg-spoiler">s</span><blockquote expandable>q</blockquote>'
    )
    assert text == "😀xysq"
    assert entities == [
        {"type": "bold", "offset": 2, "length": 1},
        {"type": "italic", "offset": 2, "length": 1},
        {"type": "pre", "offset": 3, "length": 1, "language": "python"},
        {"type": "spoiler", "offset": 4, "length": 1},
        {"type": "expandable_blockquote", "offset": 5, "length": 1},
    ]
    stripped, kept = strip_formatted_text(" \n<b>", [{"type": "bold", "offset": 0, "length": 5}])
    assert (stripped, kept) == ("<b>", [{"type": "bold", "offset": 0, "length": 3}])


# --------------------------------------------------------------------------- markup


async def test_callback_data_is_limited_to_64_bytes(bot):
    """callback_data of 65 bytes (or 66 in two-byte letters) is BUTTON_DATA_INVALID."""
    await bot.send_message(GROUP, "ok", reply_markup=keyboard("x" * 64))
    for data in ("x" * 65, "é" * 33):
        with pytest.raises(BadRequest, match="Button_data_invalid"):
            await bot.send_message(GROUP, "too long", reply_markup=keyboard(data))


async def test_button_urls_and_sizes_are_checked(bot):
    """A non-HTTP URL is BUTTON_URL_INVALID; more than 8 buttons a row is too many."""
    bad_url = InlineKeyboardMarkup([[InlineKeyboardButton("x", url="javascript:alert(1)")]])
    with pytest.raises(BadRequest, match="Button_url_invalid"):
        await bot.send_message(GROUP, "x", reply_markup=bad_url)
    with pytest.raises(BadRequest, match="Buttons_too_much"):
        await bot.send_message(GROUP, "x", reply_markup=keyboard(*(str(n) for n in range(9))))


# --------------------------------------------------------------------------- edits


async def test_edit_rules(fake, bot):
    """Identical edits are refused; omitting the markup removes it; edit_date is set."""
    sent = await bot.send_message(
        GROUP, "<b>card</b>", parse_mode="HTML", reply_markup=keyboard("a")
    )
    with pytest.raises(BadRequest, match="Message is not modified: specified new message content"):
        await bot.edit_message_text(
            "<b>card</b>", GROUP, sent.message_id, parse_mode="HTML", reply_markup=keyboard("a")
        )
    edited = await bot.edit_message_text("<b>card</b>", GROUP, sent.message_id, parse_mode="HTML")
    assert edited.reply_markup is None
    assert edited.edit_date is not None
    stored = fake.message(GROUP, sent.message_id)
    assert stored is not None
    assert "reply_markup" not in stored
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_reply_markup(GROUP, sent.message_id)
    await bot.edit_message_reply_markup(GROUP, sent.message_id, reply_markup=keyboard("b"))
    assert (
        fake.messages_in(GROUP)[-1]["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "b"
    )


async def test_edit_and_delete_of_missing_or_foreign_messages(fake, bot):
    """Gone messages cannot be edited or deleted; users' messages cannot be edited."""
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", GROUP, 999)
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await bot.delete_message(GROUP, 999)
    comment = fake.user_sends_text(USER, "a comment", chat_id=GROUP)
    with pytest.raises(BadRequest, match="Message can't be edited"):
        await bot.edit_message_text("x", GROUP, comment["message_id"])
    assert await bot.delete_message(GROUP, comment["message_id"])
    assert fake.message(GROUP, comment["message_id"]) is None


async def test_deleting_needs_the_right_and_a_message_under_48_hours_old(fake, bot):
    """Others' messages in a group go only with can_delete_messages; nothing older than
    48 hours goes, the bot's own messages included."""
    old = fake.user_sends_text(USER, "old comment", chat_id=GROUP)
    fake.age_message(GROUP, old["message_id"], hours=49)
    with pytest.raises(BadRequest, match="Message can't be deleted"):
        await bot.delete_message(GROUP, old["message_id"])
    own = await bot.send_message(GROUP, "the bot's")
    fake.age_message(GROUP, own.message_id, hours=48.5)
    with pytest.raises(BadRequest, match="Message can't be deleted"):
        await bot.delete_message(GROUP, own.message_id)
    fake.withhold_bot_right(GROUP, "can_delete_messages")
    member = await bot.get_chat_member(GROUP, fake.bot_id)
    assert member.status == "administrator"
    assert member.can_delete_messages is False
    fresh = fake.user_sends_text(USER, "fresh comment", chat_id=GROUP)
    with pytest.raises(BadRequest, match="Message can't be deleted"):
        await bot.delete_message(GROUP, fresh["message_id"])
    recent_own = await bot.send_message(GROUP, "the bot's, fresh")
    assert await bot.delete_message(GROUP, recent_own.message_id)
    fake.grant_bot_right(GROUP, "can_delete_messages")
    assert (await bot.get_chat_member(GROUP, fake.bot_id)).can_delete_messages is True
    assert await bot.delete_message(GROUP, fresh["message_id"])


async def test_captions_are_edited_only_on_media_that_carry_one(fake, bot):
    """editMessageCaption: on the bot's photos and the like, never on a text message; the
    same caption again is "not modified"."""
    photo = fake.user_sends_photo(USER, chat_id=GROUP, caption="signed")
    copied = await bot.copy_message(GROUP, GROUP, photo["message_id"])
    await bot.edit_message_caption(
        GROUP, copied.message_id, caption="<i>removed</i>", parse_mode="HTML"
    )
    stored = fake.message(GROUP, copied.message_id)
    assert stored is not None
    assert stored["caption"] == "removed"
    assert stored["caption_entities"][0]["type"] == "italic"
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_caption(
            GROUP, copied.message_id, caption="<i>removed</i>", parse_mode="HTML"
        )
    text = await bot.send_message(GROUP, "plain")
    with pytest.raises(BadRequest, match="There is no caption in the message to edit"):
        await bot.edit_message_caption(GROUP, text.message_id, caption="x")
    with pytest.raises(BadRequest, match="Message can't be edited"):
        await bot.edit_message_caption(GROUP, photo["message_id"], caption="x")


async def test_copies_keep_their_media_and_take_a_caption_only_where_media_has_one(fake, bot):
    photo = fake.user_sends_photo(USER, chat_id=GROUP, caption="old caption")
    copied = await bot.copy_message(
        OTHER_GROUP, GROUP, photo["message_id"], caption="<b>Ann</b>: new", parse_mode="HTML"
    )
    stored = fake.message(OTHER_GROUP, copied.message_id)
    assert stored is not None
    assert stored["photo"] == photo["photo"]
    assert stored["caption"] == "Ann: new"
    assert stored["caption_entities"][0]["type"] == "bold"
    with pytest.raises(BadRequest, match="caption is too long"):
        await bot.copy_message(OTHER_GROUP, GROUP, photo["message_id"], caption="x" * 1025)
    sticker = fake.user_sends_sticker(USER, chat_id=GROUP)
    with pytest.raises(BadRequest, match="can't be copied"):
        await bot.copy_message(OTHER_GROUP, GROUP, sticker["message_id"], caption="signed")
    plain = await bot.copy_message(OTHER_GROUP, GROUP, sticker["message_id"])
    copied_sticker = fake.message(OTHER_GROUP, plain.message_id)
    assert copied_sticker is not None and copied_sticker["sticker"] == sticker["sticker"]
    with pytest.raises(BadRequest, match="Message to copy not found"):
        await bot.copy_message(OTHER_GROUP, GROUP, 999)


async def test_files_go_again_by_their_file_id_and_their_own_method(fake, bot):
    """A file a user sent can be sent again by its file_id, with the method of its kind;
    an unknown id and an id of another kind are refused."""
    photo = fake.user_sends_photo(USER, chat_id=GROUP)
    largest = photo["photo"][-1]["file_id"]
    sent = await bot.send_photo(OTHER_GROUP, largest, caption="<b>Ann</b>", parse_mode="HTML")
    stored = fake.message(OTHER_GROUP, sent.message_id)
    assert stored is not None
    assert stored["photo"] == photo["photo"]
    assert stored["caption"] == "Ann"
    sticker = fake.user_sends_sticker(USER, chat_id=GROUP)
    again = await bot.send_sticker(OTHER_GROUP, sticker["sticker"]["file_id"])
    assert again.sticker is not None
    assert again.sticker.file_id == sticker["sticker"]["file_id"]
    with pytest.raises(BadRequest, match="Type of file mismatch"):
        await bot.send_document(OTHER_GROUP, largest)
    with pytest.raises(BadRequest, match="Wrong file identifier"):
        await bot.send_photo(OTHER_GROUP, "AgACAgIAAxkBAAnever")


async def test_an_uploaded_document_is_kept_and_downloaded_again(fake, bot, private_chat):
    """sendDocument with a file: the message shows its name, type and size; getFile and
    the file path give the same bytes back, and the file_id sends it again."""
    data = '{"readers": "é"}'.encode()
    sent = await bot.send_document(
        private_chat, data, filename="my-data.json", caption="<b>Yours</b>", parse_mode="HTML"
    )
    assert sent.document is not None
    assert sent.document.file_name == "my-data.json"
    assert sent.document.mime_type == "application/json"
    assert sent.document.file_size == len(data)
    assert sent.caption == "Yours"
    stored = fake.message(private_chat, sent.message_id)
    assert stored is not None
    assert fake.uploaded_document(stored) == data
    telegram_file = await bot.get_file(sent.document.file_id)
    assert bytes(await telegram_file.download_as_bytearray()) == data
    again = await bot.send_document(OTHER_GROUP, sent.document.file_id)
    assert again.document is not None
    assert again.document.file_unique_id == sent.document.file_unique_id
    assert_every_answer_matches_reference(fake)


async def test_uploads_are_refused_as_telegram_refuses_them(fake, bot, private_chat):
    """A caption over 1024 characters, an empty file and a file over 50 MB are refused;
    exactly 50 MB goes."""
    with pytest.raises(BadRequest, match="caption is too long"):
        await bot.send_document(private_chat, b"{}", filename="a.json", caption="x" * 1025)
    assert fake.bot_messages_in(private_chat) == []
    with pytest.raises(BadRequest, match="File must be non-empty"):
        await bot.send_document(private_chat, b"", filename="a.json")
    limit = 50 * 1024 * 1024
    with pytest.raises(NetworkError, match="Request Entity Too Large"):
        await bot.send_document(private_chat, b"x" * (limit + 1), filename="a.json")
    sent = await bot.send_document(
        private_chat, b"x" * limit, filename="a.json", write_timeout=60, read_timeout=60
    )
    assert sent.document is not None
    assert sent.document.file_size == limit
    with pytest.raises(BadRequest, match="File is too big"):
        await bot.get_file(sent.document.file_id)


async def test_banning_needs_the_right_and_keeps_the_user_out(fake, bot):
    assert await bot.ban_chat_member(GROUP, USER)
    assert (await bot.get_chat_member(GROUP, USER)).status == "kicked"
    with pytest.raises(ValueError, match="kicked"):
        fake.user_sends_text(USER, "back again", chat_id=GROUP)
    assert await bot.unban_chat_member(GROUP, USER, only_if_banned=True)
    assert (await bot.get_chat_member(GROUP, USER)).status == "left"
    fake.withhold_bot_right(GROUP, "can_restrict_members")
    with pytest.raises(BadRequest, match="Not enough rights to restrict"):
        await bot.ban_chat_member(GROUP, USER)


async def test_a_ban_with_an_until_date_ends_on_the_fakes_clock(fake, bot):
    """banChatMember's until_date: the ban ends by itself then (on the fake's clock, moved
    forward, never waited for); the user may join and write again."""
    until = int(fake.now()) + 24 * 3600
    assert await bot.ban_chat_member(GROUP, USER, until_date=until)
    member = await bot.get_chat_member(GROUP, USER)
    assert member.status == "kicked"
    assert member.until_date is not None and member.until_date.timestamp() == until
    fake.move_clock_forward(23 * 3600)
    with pytest.raises(ValueError, match="banned"):
        fake.user_joins(GROUP, USER)
    fake.move_clock_forward(3600)
    assert (await bot.get_chat_member(GROUP, USER)).status == "left"
    fake.user_joins(GROUP, USER)
    fake.user_sends_text(USER, "back again", chat_id=GROUP)
    assert fake.messages_in(GROUP)[-1]["date"] >= until


@pytest.mark.parametrize("ahead", [10, 367 * 86400])
async def test_a_ban_ending_too_soon_or_too_late_is_for_good(fake, bot, ahead):
    """ "banned for more than 366 days or less than 30 seconds from the current time they
    are considered to be banned forever" (banChatMember, Bot API 10.0)."""
    assert await bot.ban_chat_member(GROUP, USER, until_date=int(fake.now()) + ahead)
    fake.move_clock_forward(ahead + 3600)
    member = await bot.get_chat_member(GROUP, USER)
    assert member.status == "kicked"
    # 0: for good (python-telegram-bot reads it as the epoch).
    assert member.until_date is not None and member.until_date.timestamp() == 0


async def test_replies(fake, bot):
    """A reply must find its message unless allowed not to; it carries the full message."""
    with pytest.raises(BadRequest, match="Message to be replied not found"):
        await bot.send_message(GROUP, "x", reply_parameters=ReplyParameters(999))
    await bot.send_message(
        GROUP, "x", reply_parameters=ReplyParameters(999, allow_sending_without_reply=True)
    )
    comment = fake.user_sends_text(USER, "question?", chat_id=GROUP)
    answer = await bot.send_message(
        GROUP, "answer", reply_parameters=ReplyParameters(comment["message_id"])
    )
    assert answer.reply_to_message is not None
    assert answer.reply_to_message.text == "question?"
    stored = fake.message(GROUP, answer.message_id)
    assert stored is not None
    assert stored["reply_to_message"] == comment


async def test_a_reply_carries_the_replied_message_as_it_is_when_the_reply_is_sent(
    fake, bot, private_chat
):
    """Telegram keeps one copy of a message and fills reply_to_message from it: a reply to
    a message edited since the person began writing shows the edit, buttons and all."""
    desk = await bot.send_message(private_chat, "first item", reply_markup=keyboard("item:1"))
    await bot.edit_message_text(
        "second item",
        chat_id=private_chat,
        message_id=desk.message_id,
        reply_markup=keyboard("item:2"),
    )
    fake.user_sends_text(USER, "my answer", reply_to_message_id=desk.message_id)
    updates = await bot.get_updates(timeout=0)
    replied = updates[-1].message.reply_to_message
    assert replied is not None
    assert replied.text == "second item"
    assert replied.reply_markup == keyboard("item:2")
    assert replied.edit_date is not None


async def test_message_ids_count_per_chat(fake, bot):
    """Each chat numbers its messages from 1."""
    first = await bot.send_message(OTHER_GROUP, "one")
    fake.user_sends_text(USER, "hi", chat_id=GROUP)
    second = await bot.send_message(OTHER_GROUP, "two")
    assert (first.message_id, second.message_id) == (1, 2)
    assert [m["message_id"] for m in fake.messages_in(GROUP)] == [1]


# --------------------------------------------------------------------------- forbidden


async def test_blocked_and_never_started_users_are_forbidden(fake, bot, private_chat):
    """A user who never wrote cannot be messaged; one who blocked the bot neither."""
    with pytest.raises(Forbidden, match="bot can't initiate conversation with a user"):
        await bot.send_message(STRANGER, "hello")
    await bot.send_message(private_chat, "welcome")
    fake.user_blocks_bot(USER)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(private_chat, "still there?")


async def test_removed_bot_is_forbidden(fake, bot):
    """After removal, sends to the group and the channel are Forbidden."""
    fake.remove_bot_from(GROUP)
    with pytest.raises(Forbidden, match="bot was kicked from the supergroup chat"):
        await bot.send_message(GROUP, "x")
    fake.remove_bot_from(CHANNEL)
    with pytest.raises(Forbidden, match="bot is not a member of the channel chat"):
        await bot.send_message(CHANNEL, "x")


# --------------------------------------------------------------------------- callbacks


async def test_callback_queries_are_answered_once(fake, bot, private_chat):
    """A query is answered once; a second answer or an unknown id is too old or invalid."""
    card = await bot.send_message(private_chat, "card", reply_markup=keyboard("mod:v1:approve:1"))
    query_id = fake.user_presses_button(USER, private_chat, card.message_id, "mod:v1:approve:1")
    with pytest.raises(BadRequest, match="Message_too_long"):
        await bot.answer_callback_query(query_id, text="x" * 201)
    assert await bot.answer_callback_query(query_id, text="Approved", show_alert=True)
    assert fake.callback_answers[query_id]["text"] == "Approved"
    assert fake.callback_answers[query_id]["show_alert"] is True
    for unknown in (query_id, "42"):
        with pytest.raises(BadRequest, match="Query is too old and response timeout expired"):
            await bot.answer_callback_query(unknown)


async def test_button_press_update_carries_the_message(fake, bot):
    """The callback_query update holds the full current message and the (forgeable) data."""
    card = await bot.send_message(GROUP, "card", reply_markup=keyboard("a"))
    fake.user_presses_button(OTHER_USER, GROUP, card.message_id, "forged")
    (update,) = await bot.get_updates(timeout=0)
    assert update.callback_query is not None
    assert update.callback_query.data == "forged"
    assert update.callback_query.message is not None
    assert update.callback_query.message.message_id == card.message_id
    assert update.callback_query.from_user.id == OTHER_USER


# --------------------------------------------------------------------------- updates


async def test_get_updates_delivers_until_confirmed(fake, bot):
    """Updates stay queued until an offset above them; commands carry a bot_command entity."""
    fake.user_sends_text(USER, "/queue@newsroom_test_bot now", chat_id=GROUP)
    first = await bot.get_updates(timeout=0)
    again = await bot.get_updates(timeout=0)
    assert [u.update_id for u in first] == [u.update_id for u in again]
    message = first[0].message
    assert message is not None
    assert message.entities[0].type == "bot_command"
    assert message.entities[0].length == len("/queue@newsroom_test_bot")
    assert fake.pending_updates() == 1
    assert await bot.get_updates(offset=first[-1].update_id + 1, timeout=0) == ()
    assert fake.pending_updates() == 0


async def test_long_poll_wakes_up_for_a_new_update(fake, bot):
    """A waiting getUpdates returns as soon as a user acts."""
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await fake.wait_for(fake.is_polling)
    fake.user_sends_text(USER, "hello", chat_id=GROUP)
    updates = await asyncio.wait_for(poll, 1)
    assert updates[0].message is not None
    assert updates[0].message.text == "hello"


async def test_concurrent_polls_conflict(fake, bot):
    """A second poller ends the waiting one with 409 Conflict."""
    waiting = asyncio.create_task(bot.get_updates(timeout=5))
    await fake.wait_for(fake.is_polling)
    async with make_bot(fake) as second_instance:
        assert await second_instance.get_updates(timeout=0) == ()
    with pytest.raises(Conflict, match="terminated by other getUpdates request"):
        await waiting
    assert fake.errors()[-1].status == 409


async def test_a_webhook_refuses_get_updates_until_it_is_deleted(fake, bot):
    """With a webhook set, getUpdates answers 409 with Telegram's text and keeps updates
    queued; getWebhookInfo shows the url; deleteWebhook clears it and polling works."""
    fake.user_sends_text(USER, "while the webhook is set", chat_id=GROUP)
    fake.set_webhook("https://hooks.example/newsroom")
    refused = await raw_call(fake, "getUpdates", data={"timeout": "0"})
    assert refused.status_code == 409
    assert refused.json() == {
        "ok": False,
        "error_code": 409,
        "description": "Conflict: can't use getUpdates method while webhook is active; "
        "use deleteWebhook to delete the webhook first",
    }
    with pytest.raises(Conflict, match="while webhook is active"):
        await bot.get_updates(timeout=0)
    info = await bot.get_webhook_info()
    assert (info.url, info.pending_update_count) == ("https://hooks.example/newsroom", 1)

    assert await bot.delete_webhook(drop_pending_updates=False)
    assert (await bot.get_webhook_info()).url == ""
    updates = await bot.get_updates(timeout=0)
    assert [u.message.text for u in updates if u.message] == ["while the webhook is set"]
    assert_every_answer_matches_reference(fake)


async def test_setting_a_webhook_ends_a_waiting_poll(fake, bot):
    """A webhook set during a long poll ends it with 409 `terminated by setWebhook request`."""
    waiting = asyncio.create_task(bot.get_updates(timeout=5))
    await fake.wait_for(fake.is_polling)
    fake.set_webhook("https://hooks.example/newsroom")
    with pytest.raises(Conflict) as ended:
        await asyncio.wait_for(waiting, 1)
    assert ended.value.message == "Conflict: terminated by setWebhook request"
    assert fake.errors()[-1].status == 409


async def test_allowed_updates_are_respected(fake, bot):
    """Updates of kinds the bot did not ask for are not delivered."""
    card = await bot.send_message(GROUP, "card", reply_markup=keyboard("a"))
    fake.user_presses_button(USER, GROUP, card.message_id, "a")
    fake.user_sends_text(USER, "text", chat_id=GROUP)
    updates = await bot.get_updates(timeout=0, allowed_updates=["message"])
    assert [u.message.text for u in updates if u.message] == ["text"]
    assert all(u.callback_query is None for u in updates)


async def test_channel_post_is_forwarded_to_the_discussion_group(fake, bot):
    """A channel post appears in the linked group as an automatic forward update."""
    post = await bot.send_message(
        CHANNEL, "<b>Breaking</b> news", parse_mode="HTML", reply_markup=keyboard("c")
    )
    assert post.sender_chat is not None
    assert post.sender_chat.id == CHANNEL
    (update,) = await bot.get_updates(timeout=0)
    copy = update.message
    assert copy is not None
    assert copy.chat.id == GROUP
    assert copy.is_automatic_forward
    assert copy.sender_chat is not None
    assert copy.sender_chat.id == CHANNEL
    assert copy.forward_origin is not None
    assert isinstance(copy.forward_origin, MessageOriginChannel)
    assert copy.forward_origin.message_id == post.message_id
    assert (copy.text, copy.entities) == (post.text, post.entities)
    assert copy.reply_markup is None

    comment = fake.user_sends_text(
        USER, "first!", chat_id=GROUP, reply_to_message_id=copy.message_id
    )
    assert comment["reply_to_message"]["is_automatic_forward"] is True
    assert comment["message_thread_id"] == copy.message_id


async def test_a_channel_post_can_be_answered_only_after_its_forward_was_handled(fake, bot):
    """With deliver_updates_before_answering, the automatic forward reaches the bot and is
    confirmed before the sendMessage answer arrives (nothing orders the two)."""
    fake.deliver_updates_before_answering("sendMessage", chat_id=CHANNEL)
    sending = asyncio.create_task(bot.send_message(CHANNEL, "Breaking"))
    (update,) = await bot.get_updates(timeout=5)
    assert update.message is not None and update.message.is_automatic_forward
    assert not sending.done()
    assert await bot.get_updates(offset=update.update_id + 1, timeout=0) == ()
    post = await asyncio.wait_for(sending, 5)
    assert isinstance(update.message.forward_origin, MessageOriginChannel)
    assert update.message.forward_origin.message_id == post.message_id
    # Only the next call is held.
    await asyncio.wait_for(bot.send_message(CHANNEL, "Later"), 5)


async def test_premium_users_write_long_captions_and_bots_keep_to_1024(fake, bot):
    """A Premium user's caption may run to 4096 characters, anyone else's to 1024; a bot's
    copy of a long one, which would carry it as the bot's own caption, is refused unless it
    sets a caption of its own."""
    fake.add_user(4242, "Pat", is_premium=True)
    fake.set_member_status(GROUP, 4242, "member")
    long_caption = "x" * 4096
    photo = fake.user_sends_photo(4242, chat_id=GROUP, caption=long_caption)
    assert photo["caption"] == long_caption
    assert photo["from"]["is_premium"] is True
    with pytest.raises(ValueError, match="4096"):
        fake.user_sends_photo(4242, chat_id=GROUP, caption="x" * 4097)
    with pytest.raises(ValueError, match="1024"):
        fake.user_sends_photo(USER, chat_id=GROUP, caption="x" * 1025)
    with pytest.raises(BadRequest, match="caption is too long"):
        await bot.copy_message(OTHER_GROUP, GROUP, photo["message_id"])
    with pytest.raises(BadRequest, match="caption is too long"):
        await bot.send_photo(OTHER_GROUP, photo["photo"][-1]["file_id"], caption=long_caption)
    signed = await bot.copy_message(OTHER_GROUP, GROUP, photo["message_id"], caption="Pat")
    stored = fake.message(OTHER_GROUP, signed.message_id)
    assert stored is not None and stored["caption"] == "Pat"


async def test_chat_members_and_chats_are_complete(fake, bot):
    """getChatMember returns the right complete subtype; getChat a complete ChatFullInfo."""
    fake.set_member_status(GROUP, STRANGER, "kicked")
    expected = {USER: "member", OTHER_USER: "administrator", STRANGER: "kicked"}
    for user_id, status in expected.items():
        member = await bot.get_chat_member(GROUP, user_id)
        assert member.status == status
    fake.set_member_status(OTHER_GROUP, USER, "creator")
    assert (await bot.get_chat_member(OTHER_GROUP, USER)).status == "creator"
    assert (await bot.get_chat_member(OTHER_GROUP, OTHER_USER)).status == "left"
    assert (await bot.get_chat_member(CHANNEL, fake.bot_id)).status == "administrator"
    with pytest.raises(BadRequest, match="User not found"):
        await bot.get_chat_member(GROUP, 55555)
    channel = await bot.get_chat(CHANNEL)
    assert channel.linked_chat_id == GROUP
    assert_every_answer_matches_reference(fake)


async def test_every_built_update_matches_the_reference(fake, bot, private_chat):
    """Every kind of update the fake builds carries all required fields, recursively."""
    card = await bot.send_message(GROUP, "card", reply_markup=keyboard("a"))
    await bot.send_message(CHANNEL, "post")
    fake.user_sends_text(USER, "reply", chat_id=GROUP, reply_to_message_id=card.message_id)
    fake.user_sends_sticker(USER, chat_id=GROUP)
    fake.user_sends_photo(USER, caption="/submit with photo")
    fake.user_presses_button(OTHER_USER, GROUP, card.message_id, "a")
    fake.user_blocks_bot(USER)
    fake.remove_bot_from(GROUP)

    response = await raw_call(fake, "getUpdates", data={"allowed_updates": "[]"})
    updates = response.json()["result"]
    kinds = [next(k for k in u if k != "update_id") for u in updates]
    assert kinds == ["message"] * 5 + ["callback_query", "my_chat_member", "my_chat_member"]
    for update in updates:
        assert validate_object(update, "Update") == [], update
    assert_every_answer_matches_reference(fake)


async def test_set_and_get_my_commands(bot):
    """Commands are stored per scope; invalid command names are refused."""
    await bot.set_my_commands([("queue", "Show the moderation queue")])
    commands = await bot.get_my_commands()
    assert [(c.command, c.description) for c in commands] == [
        ("queue", "Show the moderation queue")
    ]
    with pytest.raises(BadRequest, match="Bot_command_invalid"):
        await bot.set_my_commands([("Bad-Name", "x")])


# --------------------------------------------------------------------------- faults


async def test_injected_429_raises_retry_after(fake, bot, monkeypatch):
    """fail_next with retry_after gives RetryAfter, only for the chosen chat."""
    # PTB 22 warns when retry_after is read as int; opting in to timedelta avoids it.
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    fake.fail_next(
        "sendMessage", 429, "Too Many Requests: retry after 7", chat_id=GROUP, retry_after=7
    )
    await bot.send_message(OTHER_GROUP, "other chat is not affected")
    with pytest.raises(RetryAfter) as error:
        await bot.send_message(GROUP, "x")
    assert error.value.retry_after == timedelta(seconds=7)
    assert fake.errors()[-1].injected
    assert fake.bad_requests() == []
    await bot.send_message(GROUP, "recovered")


async def test_gateway_error_and_dropped_connection_are_network_errors(fake, bot):
    """A 502 HTML page and a dropped connection both surface as NetworkError."""
    fake.fail_next("sendMessage", 502, "Bad Gateway")
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.send_message(GROUP, "x")
    fake.fail_next("sendMessage", 0, "connection lost", drop_connection=True)
    with pytest.raises(NetworkError):
        await bot.send_message(GROUP, "x")
    assert [c.injected for c in fake.errors()] == [True, True]
    assert fake.bot_messages_in(GROUP) == []


async def test_group_rate_limit(fake, bot, monkeypatch):
    """With a per-group limit set, the next message in that minute gets 429 retry_after."""
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    fake.group_rate_limit_per_minute = 2
    await bot.send_message(GROUP, "1")
    await bot.send_message(GROUP, "2")
    await bot.send_message(OTHER_GROUP, "other group has its own budget")
    with pytest.raises(RetryAfter) as error:
        await bot.send_message(GROUP, "3")
    retry_after = error.value.retry_after
    assert isinstance(retry_after, timedelta)
    assert timedelta(seconds=1) <= retry_after <= timedelta(seconds=60)
    assert fake.errors()[-1].response["parameters"]["retry_after"] > 0


async def test_edits_share_the_group_budget_with_sends(fake, bot, monkeypatch):
    """tdlib/td#2592: edits and sends share a group's 20 a minute; private chats are free."""
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    fake.group_rate_limit_per_minute = 2
    sent = await bot.send_message(GROUP, "1")
    await bot.edit_message_text("1, edited", chat_id=GROUP, message_id=sent.message_id)
    with pytest.raises(RetryAfter):
        await bot.edit_message_text("1, again", chat_id=GROUP, message_id=sent.message_id)
    with pytest.raises(RetryAfter):
        await bot.send_message(GROUP, "2")
    assert fake.message(GROUP, sent.message_id)["text"] == "1, edited"


async def test_private_chat_rate_limit(fake, bot, monkeypatch):
    """With the private limit on, a person's chat takes a short burst, then refuses until
    the bucket refills; another person's chat has its own."""
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    fake.private_rate_limit_per_second = 1
    fake.user_sends_text(USER, "/start")
    fake.user_sends_text(OTHER_USER, "/start")
    sent = await bot.send_message(USER, "1")
    for number in range(PRIVATE_BURST - 1):
        await bot.send_message(USER, f"burst {number}")
    await bot.send_message(OTHER_USER, "other chat")
    with pytest.raises(RetryAfter):
        await bot.edit_message_text("1, edited", chat_id=USER, message_id=sent.message_id)
    assert fake.message(USER, sent.message_id)["text"] == "1"


# --------------------------------------------------------------------------- waiting


async def test_wait_for_bot_message_returns_successive_messages(fake, bot):
    """Sequential waits see successive bot messages; a miss fails with the chat's state."""

    async def send_later() -> None:
        await bot.send_message(GROUP, "one")
        await bot.send_message(GROUP, "two")

    sender = asyncio.create_task(send_later())
    assert (await fake.wait_for_bot_message(GROUP))["text"] == "one"
    assert (await fake.wait_for_bot_message(GROUP, contains="tw"))["text"] == "two"
    await sender
    with pytest.raises(
        AssertionError, match=r"bot messages there now: \[\(1, 'one'\), \(2, 'two'\)\]"
    ):
        await fake.wait_for_bot_message(GROUP, timeout=0.05)


async def test_wait_for_returns_the_predicate_value(fake, bot):
    """wait_for re-checks on every API call and returns the first truthy value."""
    sender = asyncio.create_task(bot.send_message(GROUP, "hello"))
    found = await fake.wait_for(lambda: fake.bot_messages_in(GROUP))
    await sender
    assert found[0]["text"] == "hello"


async def test_application_polls_handles_and_stops_cleanly(fake):
    """PTB's Application polls the fake, answers a command, and restarts without a 409."""

    async def queue(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_chat is not None
        await context.bot.send_message(update.effective_chat.id, "Queue is empty")

    application = (
        ApplicationBuilder()
        .token(fake.token)
        .base_url(fake.base_url)
        .request(loopback_request())
        .get_updates_request(loopback_request())
        .build()
    )
    application.add_handler(CommandHandler("queue", queue))
    async with application:
        for _ in range(2):
            await application.start()
            assert application.updater is not None
            await application.updater.start_polling(timeout=5)
            fake.user_sends_text(OTHER_USER, "/queue@newsroom_test_bot", chat_id=GROUP)
            await fake.wait_for_bot_message(GROUP, contains="Queue is empty")
            await fake.wait_for(lambda: fake.pending_updates() == 0)
            await application.updater.stop()
            await application.stop()
    assert fake.errors() == []


async def test_privacy_mode_hides_general_commands_until_the_bot_has_written(fake, bot):
    """A bot that is a plain member sees /cmd@bot, replies to it and mentions; a bare
    /cmd only once it was the last bot to write in the group; an admin bot sees all."""
    fake.user_adds_bot(OTHER_USER, OTHER_GROUP, status="member")
    seen = fake.pending_updates()
    fake.user_sends_text(OTHER_USER, "/queue", chat_id=OTHER_GROUP)
    fake.user_sends_text(OTHER_USER, "just chatting", chat_id=OTHER_GROUP)
    assert fake.pending_updates() == seen
    fake.user_sends_text(OTHER_USER, f"/queue@{fake.bot_username}", chat_id=OTHER_GROUP)
    assert fake.pending_updates() == seen + 1
    await bot.send_message(OTHER_GROUP, "hello")
    fake.user_sends_text(OTHER_USER, "/queue", chat_id=OTHER_GROUP)
    assert fake.pending_updates() == seen + 2
    anonymous = fake.anonymous_admin_sends_text(OTHER_GROUP, "/queue")
    assert anonymous["from"]["username"] == "GroupAnonymousBot"
    assert anonymous["sender_chat"]["id"] == OTHER_GROUP
    assert fake.pending_updates() == seen + 3


async def test_an_upgraded_basic_group_answers_with_its_new_id(fake, bot):
    """A call that writes to the old id is refused with migrate_to_chat_id (ChatMigrated);
    one that only reads is not: getChat answers the basic group it was, and the bot's own
    getChatMember says "left". The bot hears its membership of the supergroup and both
    service messages."""
    basic, upgraded = -4518810793, -1002471352452
    fake.add_group(basic, "Small desk", member_ids=[USER], basic=True)
    await bot.send_message(basic, "before")
    seen = fake.pending_updates()
    fake.upgrade_group(basic, USER, upgraded)
    with pytest.raises(ChatMigrated) as moved:
        await bot.send_message(basic, "after")
    assert moved.value.new_chat_id == upgraded
    with pytest.raises(ChatMigrated):
        await bot.send_chat_action(basic, "typing")
    with pytest.raises(ChatMigrated):
        await bot.get_chat_member(basic, USER)
    assert (await bot.get_chat_member(basic, fake.bot_id)).status == "left"
    old = await bot.get_chat(basic)
    assert (old.id, old.type) == (basic, "group")
    assert "migrate_to_chat_id" not in fake.calls[-1].response["result"]
    sent = await bot.send_message(upgraded, "after")
    assert sent.chat.type == "supergroup"
    updates = await bot.get_updates(offset=-3, timeout=0)
    assert fake.pending_updates() == seen + 3
    member, moved_to, moved_from = updates[-3:]
    assert member.my_chat_member is not None and member.my_chat_member.chat.id == upgraded
    assert moved_to.message is not None and moved_to.message.migrate_to_chat_id == upgraded
    assert moved_to.message.chat.type == "group"
    assert moved_from.message is not None and moved_from.message.migrate_from_chat_id == basic


async def test_a_demoted_bot_in_privacy_mode_no_longer_sees_comments_or_posts(fake, bot):
    """Demoted to a plain member, the bot hears so (my_chat_member, with getChatMember
    agreeing); from then on neither readers' messages nor the channel's automatic forwards
    reach it, only what privacy mode lets through (a mention)."""
    assert (await bot.get_me()).can_read_all_group_messages is False
    await bot.send_message(CHANNEL, "seen as an admin")
    fake.user_sends_text(USER, "a comment", chat_id=GROUP)
    before = await bot.get_updates(timeout=0)
    assert [u.message.text for u in before if u.message] == ["seen as an admin", "a comment"]
    offset = before[-1].update_id + 1
    fake.demote_bot(GROUP, OTHER_USER)
    await bot.send_message(CHANNEL, "not seen as a member")
    fake.user_sends_text(USER, "another comment", chat_id=GROUP)
    fake.user_sends_text(USER, f"hey @{fake.bot_username}", chat_id=GROUP)
    after = await bot.get_updates(offset=offset, timeout=0)
    change = after[0].my_chat_member
    assert change is not None and change.chat.id == GROUP
    assert (change.old_chat_member.status, change.new_chat_member.status) == (
        "administrator",
        "member",
    )
    assert change.from_user.id == OTHER_USER
    assert [u.message.text for u in after[1:] if u.message] == [f"hey @{fake.bot_username}"]
    assert (await bot.get_chat_member(GROUP, fake.bot_id)).status == "member"
    assert [m for m in fake.messages_in(GROUP) if m.get("text") == "not seen as a member"]
    assert_every_answer_matches_reference(fake)


async def test_a_member_bot_without_privacy_mode_sees_everything(fake, bot):
    """Privacy mode off (can_read_all_group_messages) when the bot was added: a plain member
    gets every message and the automatic forwards."""
    fake.privacy_mode = False
    fake.remove_bot_from(GROUP)
    fake.user_adds_bot(OTHER_USER, GROUP, status="member")
    assert (await bot.get_me()).can_read_all_group_messages is True
    await bot.send_message(CHANNEL, "a post")
    fake.user_sends_text(USER, "a comment", chat_id=GROUP)
    updates = await bot.get_updates(timeout=0)
    assert [u.message.text for u in updates if u.message] == ["a post", "a comment"]


async def test_privacy_mode_turned_off_reaches_only_groups_the_bot_is_added_to_later(fake, bot):
    """core.telegram.org/bots/features#privacy-mode: the bot must be re-added to a group for
    a change of privacy mode to take effect there, whatever getMe says."""
    fake.set_member_status(GROUP, fake.bot_id, "member")
    fake.privacy_mode = False
    assert (await bot.get_me()).can_read_all_group_messages is True
    await bot.send_message(CHANNEL, "a post")
    fake.user_sends_text(USER, "a comment", chat_id=GROUP)
    assert not [u for u in await bot.get_updates(timeout=0) if u.message]


async def test_updates_older_than_a_day_are_gone(fake, bot):
    fake.user_sends_text(USER, "said while the bot was down", chat_id=GROUP)
    fake.expire_pending_updates()
    assert await bot.get_updates(timeout=0) == ()


async def test_posting_in_a_channel_needs_the_post_right(fake, bot):
    await bot.send_message(CHANNEL, "allowed")
    fake.withhold_bot_right(CHANNEL, "can_post_messages")
    with pytest.raises(BadRequest, match="Need administrator rights in the channel chat"):
        await bot.send_message(CHANNEL, "refused")


async def test_a_photo_by_url_is_fetched_by_telegram_and_reaches_the_discussion_group(fake, bot):
    """sendPhoto with a URL: Telegram fetches it (one it cannot is refused); a channel's
    photo post is copied into its discussion group like any post."""
    post = await bot.send_photo(
        CHANNEL, "https://blog.example/cover.jpg", caption="<b>Cover</b>", parse_mode="HTML"
    )
    assert post.photo and post.caption == "Cover"
    forwards = [m for m in fake.messages_in(GROUP) if m.get("is_automatic_forward")]
    assert forwards and forwards[-1]["forward_origin"]["message_id"] == post.message_id
    fake.refuse_url("https://blog.example/gone.jpg")
    with pytest.raises(BadRequest, match="Wrong file identifier/http url specified"):
        await bot.send_photo(CHANNEL, "https://blog.example/gone.jpg")
