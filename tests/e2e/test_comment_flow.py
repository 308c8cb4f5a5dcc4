"""A comment's whole life, end to end over HTTP against the fake Bot API."""

from __future__ import annotations

from bot.services.verdicts import Decision
from bot.settings import Settings
from sandbox.bot_api import FakeTelegram
from tests.e2e.harness import (
    HOSTILE_FIRST_NAME,
    HOSTILE_LAST_NAME,
    HOSTILE_READER_ID,
    OUTSIDER_ID,
    READER_IDS,
    RunningBot,
    outbox_statuses,
    running_bot,
    submission_statuses,
    wait_for_outbox,
)
from tests.e2e.steps import (
    card_button_data,
    card_without_buttons,
    comment,
    desk_text,
    post_article,
    press,
    press_desk,
    start_payload,
)
from tests.factories import (
    ADMIN_ID,
    CHANNEL_ID,
    DISCUSSION_CHAT_ID,
    MODERATION_CHAT_ID,
    MODERATOR_ID,
)

READER = READER_IDS[0]


def comments_button_text(telegram: FakeTelegram, post_id: int) -> str:
    post = telegram.message(CHANNEL_ID, post_id)
    assert post is not None
    return str(post["reply_markup"]["inline_keyboard"][0][0]["text"])


async def test_article_post_carries_title_summary_link_and_counter(
    telegram: FakeTelegram, bot: RunningBot
) -> None:
    """/post puts a bold title, the summary, the link and a Comments (0) button in the channel."""
    article_id, post = await post_article(telegram, "Budget <passes> & more", "Summary here")
    assert post["text"].startswith("Budget <passes> & more\n\nSummary here")
    assert {"type": "bold", "offset": 0, "length": len("Budget <passes> & more")}.items() <= (
        post["entities"][0].items()
    )
    assert any(e.get("url") == "https://blog.example/22" for e in post["entities"])
    button = post["reply_markup"]["inline_keyboard"][0][0]
    assert button["text"] == "💬 Comments (0)"
    assert button["url"] == f"https://t.me/newsroom_test_bot?start=a{article_id}"


async def test_approved_comment_reaches_view_author_and_counter(
    telegram: FakeTelegram, bot: RunningBot
) -> None:
    """Comment → card → approve: card edited, author told, counter 1, view shows it."""
    _, post = await post_article(telegram)
    card = await comment(telegram, READER, post, "I <3 this & that")
    assert "I <3 this & that" in card["text"]
    assert "Reader0 @reader0" in card["text"]
    answer = await press(telegram, MODERATOR_ID, card, Decision.APPROVE)
    assert answer["text"] == "Approved."
    decided = await card_without_buttons(telegram, card)
    assert "Approved by Mo Derator" in decided["text"]
    await telegram.wait_for_bot_message(READER, contains="was published")
    await telegram.wait_for(
        lambda: comments_button_text(telegram, post["message_id"]) == "💬 Comments (1)"
    )
    other = READER_IDS[1]
    telegram.user_sends_text(other, f"/start {start_payload(post)}")
    view = await telegram.wait_for_bot_message(other, contains="Send your comment")
    assert "Reader0: I <3 this & that" in view["text"]


async def test_rejected_comment_stays_private(telegram: FakeTelegram, bot: RunningBot) -> None:
    """Reject: the author hears 'not approved', the counter and the view stay empty."""
    _, post = await post_article(telegram)
    card = await comment(telegram, READER, post, "spam spam")
    await press(telegram, MODERATOR_ID, card, Decision.REJECT)
    decided = await card_without_buttons(telegram, card)
    assert "Rejected by Mo Derator" in decided["text"]
    await telegram.wait_for_bot_message(READER, contains="was not approved")
    assert comments_button_text(telegram, post["message_id"]) == "💬 Comments (0)"
    telegram.user_sends_text(READER, f"/start {start_payload(post)}")
    view = await telegram.wait_for_bot_message(READER, contains="Send your comment")
    assert "spam" not in view["text"]


async def test_second_press_is_answered_already_decided(
    telegram: FakeTelegram, bot: RunningBot
) -> None:
    """A press after the decision changes nothing and says who decided."""
    _, post = await post_article(telegram)
    card = await comment(telegram, READER, post, "first")
    await press(telegram, MODERATOR_ID, card, Decision.APPROVE)
    late = await press(telegram, ADMIN_ID, card, Decision.REJECT)
    assert late["text"] == "Already approved by Mo Derator."
    assert late["show_alert"] is True
    decided = await card_without_buttons(telegram, card)
    assert "Approved" in decided["text"]


async def test_presses_from_outsiders_and_other_chats_change_nothing(
    telegram: FakeTelegram, bot: RunningBot, e2e_settings: Settings
) -> None:
    """A non-moderator's press, garbage data and a press in another chat are refused."""
    _, post = await post_article(telegram)
    card = await comment(telegram, READER, post, "hello")
    refused = await press(telegram, OUTSIDER_ID, card, Decision.APPROVE)
    assert refused["text"] == "Only moderators can decide on submissions."
    garbage = telegram.user_presses_button(
        MODERATOR_ID, MODERATION_CHAT_ID, card["message_id"], "mod:v9:approve:1"
    )
    assert (await telegram.wait_for(lambda: telegram.callback_answers.get(garbage)))["text"]
    elsewhere = telegram.user_presses_button(
        MODERATOR_ID, READER, 1, card_button_data(card, Decision.APPROVE)
    )
    await telegram.wait_for(lambda: telegram.callback_answers.get(elsewhere))
    # Another item's id, on this card: refused, neither item changes.
    other_card = await comment(telegram, READER_IDS[1], post, "another")
    swapped = telegram.user_presses_button(
        MODERATOR_ID,
        MODERATION_CHAT_ID,
        card["message_id"],
        card_button_data(other_card, Decision.REJECT),
    )
    answer = await telegram.wait_for(lambda: telegram.callback_answers.get(swapped))
    assert answer["text"] == "This button is no longer valid."
    assert await submission_statuses(e2e_settings) == ["pending", "pending"]
    current = telegram.message(MODERATION_CHAT_ID, card["message_id"])
    assert current is not None
    assert current.get("reply_markup"), "the card must still be pending"
    assert telegram.bot_messages_in(READER)[-1]["text"].endswith(
        "awaits moderation. I will tell you when it is decided."
    )


async def test_ban_refuses_later_comments_until_unban(
    telegram: FakeTelegram, bot: RunningBot
) -> None:
    """Ban author: next attempt refused politely with no card; /unban lets them back."""
    _, post = await post_article(telegram)
    card = await comment(telegram, READER, post, "troll")
    await press(telegram, MODERATOR_ID, card, Decision.BAN)
    decided = await card_without_buttons(telegram, card)
    assert "author banned" in decided["text"]
    cards_before = len(telegram.bot_messages_in(MODERATION_CHAT_ID))
    telegram.user_sends_text(READER, f"/start {start_payload(post)}")
    await telegram.wait_for_bot_message(READER, contains="can no longer send")
    telegram.user_sends_text(READER, "let me in")
    await telegram.wait_for_bot_message(READER, contains="To comment, open an article")
    assert len(telegram.bot_messages_in(MODERATION_CHAT_ID)) == cards_before
    telegram.user_sends_text(MODERATOR_ID, f"/unban {READER}", chat_id=MODERATION_CHAT_ID)
    await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="no longer banned")
    await comment(telegram, READER, post, "sorry")


async def test_reader_input_errors_get_clear_answers(
    telegram: FakeTelegram, bot: RunningBot, e2e_settings: Settings
) -> None:
    """Too long, a sticker, stray text, an unknown command and /cancel each get an answer."""
    _, post = await post_article(telegram)
    telegram.user_sends_text(READER, "hello?")
    await telegram.wait_for_bot_message(READER, contains="To comment, open an article")
    telegram.user_sends_text(READER, "/frobnicate")
    await telegram.wait_for_bot_message(READER, contains="don't know that command")
    telegram.user_sends_text(READER, f"/start {start_payload(post)}")
    await telegram.wait_for_bot_message(READER, contains="Send your comment")
    telegram.user_sends_sticker(READER)
    await telegram.wait_for_bot_message(READER, contains="as a text message")
    telegram.user_sends_text(READER, "x" * (e2e_settings.comment_max_length + 1))
    refusal = await telegram.wait_for_bot_message(READER, contains="the limit is")
    assert str(e2e_settings.comment_max_length) in refusal["text"]
    telegram.user_sends_text(READER, "/cancel")
    await telegram.wait_for_bot_message(READER, contains="Cancelled")
    telegram.user_sends_text(READER, "/cancel")
    await telegram.wait_for_bot_message(READER, contains="nothing to cancel")
    assert not [m for m in telegram.bot_messages_in(MODERATION_CHAT_ID) if "Comment #" in m["text"]]


async def test_start_lists_articles_and_their_buttons_open_them(
    telegram: FakeTelegram, bot: RunningBot
) -> None:
    """Plain /start welcomes with the latest articles; a button opens the article."""
    await post_article(telegram, "First story")
    await post_article(telegram, "Second story")
    telegram.user_sends_text(READER, "/start")
    welcome = await telegram.wait_for_bot_message(READER, contains="Welcome")
    buttons = [row[0] for row in welcome["reply_markup"]["inline_keyboard"]]
    assert [b["text"] for b in buttons] == [
        "📰 Second story",
        "📰 First story",
        "✉️ Contact the editors",
    ]
    telegram.user_presses_button(READER, READER, welcome["message_id"], buttons[1]["callback_data"])
    view = await telegram.wait_for_bot_message(READER, contains="Send your comment")
    assert "First story" in view["text"]
    telegram.user_sends_text(READER, "/help")
    await telegram.wait_for_bot_message(READER, contains="How to comment")


async def test_admin_commands_refused_to_others_and_malformed_post_explained(
    telegram: FakeTelegram, bot: RunningBot
) -> None:
    """/post from a reader is refused and posts nothing; a malformed /post shows usage."""
    telegram.user_sends_text(READER, "/post https://blog.example/x\nTitle")
    await telegram.wait_for_bot_message(READER, contains="Only the blog's admins")
    telegram.user_sends_text(ADMIN_ID, "/post not-a-link")
    await telegram.wait_for_bot_message(ADMIN_ID, contains="Post an article")
    assert telegram.bot_messages_in(CHANNEL_ID) == []


async def test_articles_and_unpublish(telegram: FakeTelegram, bot: RunningBot) -> None:
    """/articles lists counts; /unpublish deletes the post and closes comments."""
    article_id, post = await post_article(telegram)
    await comment(telegram, READER, post, "pending one")
    telegram.user_sends_text(ADMIN_ID, "/articles")
    listing = await telegram.wait_for_bot_message(ADMIN_ID, contains="Recent articles")
    assert f"#{article_id} City budget passes – 💬 0 published, 1 pending" in listing["text"]
    telegram.user_sends_text(ADMIN_ID, f"/unpublish {article_id}")
    await telegram.wait_for_bot_message(ADMIN_ID, contains="closed to new comments")
    assert telegram.message(CHANNEL_ID, post["message_id"]) is None
    telegram.user_sends_text(READER_IDS[1], f"/start {start_payload(post)}")
    await telegram.wait_for_bot_message(READER_IDS[1], contains="no longer open")
    telegram.user_sends_text(ADMIN_ID, f"/unpublish {article_id}")
    await telegram.wait_for_bot_message(ADMIN_ID, contains="no published article")


async def test_queue_opens_the_review_desk(telegram: FakeTelegram, bot: RunningBot) -> None:
    """/queue counts pending items and opens the desk; a tap there decides and moves on."""
    _, post = await post_article(telegram)
    card = await comment(telegram, READER, post, "first waiting")
    await comment(telegram, READER_IDS[1], post, "second waiting")
    telegram.user_sends_text(MODERATOR_ID, "/queue", chat_id=MODERATION_CHAT_ID)
    await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="2 items waiting")
    desk = await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="Review desk")
    assert "2 waiting" in desk["text"]
    assert "first waiting" in desk["text"]
    # Deciding on the card moves the desk on too: it never shows a decided item.
    await press(telegram, MODERATOR_ID, card, Decision.APPROVE)
    await card_without_buttons(telegram, card)
    await telegram.wait_for(lambda: "second waiting" in desk_text(telegram, desk))
    await press_desk(telegram, telegram.message(MODERATION_CHAT_ID, desk["message_id"]), "skip")
    await telegram.wait_for(lambda: "1 waiting" in desk_text(telegram, desk))
    await press_desk(telegram, telegram.message(MODERATION_CHAT_ID, desk["message_id"]), "reject")
    await telegram.wait_for(lambda: "Nothing is waiting" in desk_text(telegram, desk))
    await telegram.wait_for_bot_message(READER_IDS[1], contains="was not approved")


async def test_discussion_group_gets_the_approved_comment_in_the_thread(
    telegram: FakeTelegram, discussion_settings: Settings
) -> None:
    """With a discussion group: text link, no keyboard, approved comment replies to the copy."""
    async with running_bot(discussion_settings):
        _, post = await post_article(telegram)
        assert not post.get("reply_markup")
        assert "Comment" in post["text"]
        copy = await telegram.wait_for(
            lambda: next(
                (
                    m
                    for m in telegram.messages_in(DISCUSSION_CHAT_ID)
                    if m.get("is_automatic_forward")
                ),
                None,
            )
        )
        card = await comment(telegram, READER, post, "Thread <me>")
        await press(telegram, MODERATOR_ID, card, Decision.APPROVE)
        reply = await telegram.wait_for_bot_message(DISCUSSION_CHAT_ID, contains="Thread <me>")
        assert reply["reply_to_message"]["message_id"] == copy["message_id"]
        assert "Reader0" in reply["text"]


async def test_reader_state_and_outbox_survive_a_restart(
    telegram: FakeTelegram, e2e_settings: Settings
) -> None:
    """An article opened before a restart still takes the comment; an unsent card goes after."""
    async with running_bot(e2e_settings):
        _, post = await post_article(telegram)
        telegram.user_sends_text(READER, f"/start {start_payload(post)}")
        await telegram.wait_for_bot_message(READER, contains="Send your comment")
    # The moderation chat is unreachable while the comment arrives: the card must wait.
    telegram.remove_bot_from(MODERATION_CHAT_ID)
    async with running_bot(e2e_settings):
        telegram.user_sends_text(READER, "survived")
        await telegram.wait_for_bot_message(READER, contains="awaits moderation")
        await telegram.wait_for(lambda: [c for c in telegram.calls if c.status == 403])
        await telegram.wait_for_bot_message(ADMIN_ID, contains="cannot post in the moderation")
    assert (await outbox_statuses(e2e_settings))["send_card"] == "pending"
    telegram.set_member_status(MODERATION_CHAT_ID, telegram.bot_id, "administrator")
    async with running_bot(e2e_settings):
        card = await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="survived")
        assert "Comment #1" in card["text"]
        await telegram.wait_for_bot_message(ADMIN_ID, contains="moderation chat works again")
        await wait_for_outbox(
            e2e_settings,
            lambda s: set(s.values()) == {"delivered"} and {"send_card", "admin_notice"} <= set(s),
        )
    told = [m for m in telegram.bot_messages_in(ADMIN_ID) if "cannot post" in m["text"]]
    assert len(told) == 1
    cards = [m for m in telegram.bot_messages_in(MODERATION_CHAT_ID) if "survived" in m["text"]]
    assert len(cards) == 1


async def test_429_is_honoured_and_a_blocked_reader_is_given_up(
    telegram: FakeTelegram, bot: RunningBot, e2e_settings: Settings
) -> None:
    """A 429 on the card delays it by retry_after; a 403 for the author settles the row."""
    _, post = await post_article(telegram)
    telegram.fail_next(
        "sendMessage",
        429,
        "Too Many Requests: retry after 1",
        chat_id=MODERATION_CHAT_ID,
        retry_after=1,
    )
    card = await comment(telegram, READER, post, "slow card")
    attempts = [
        c
        for c in telegram.calls
        if c.method == "sendMessage" and str(c.params.get("chat_id")) == str(MODERATION_CHAT_ID)
    ]
    assert len(attempts) == 2
    telegram.user_blocks_bot(READER)
    await press(telegram, MODERATOR_ID, card, Decision.APPROVE)
    await card_without_buttons(telegram, card)
    blocked = await telegram.wait_for(
        lambda: [
            c
            for c in telegram.calls
            if c.status == 403 and str(c.params.get("chat_id")) == str(READER)
        ]
    )
    assert len(blocked) == 1


async def test_hostile_names_titles_and_links_arrive_verbatim(
    telegram: FakeTelegram, bot: RunningBot
) -> None:
    """HTML in a reader's name, a title and a link's query string is shown as typed."""
    telegram.user_sends_text(
        ADMIN_ID, '/post https://blog.example/a?x=1&y="2"<b>\n<i>Title</i> & co\n<s>sum</s>'
    )
    await telegram.wait_for_bot_message(ADMIN_ID, contains="Posted article #")
    post = await telegram.wait_for_bot_message(CHANNEL_ID, contains="<i>Title</i> & co")
    assert any(e.get("url") == 'https://blog.example/a?x=1&y="2"<b>' for e in post["entities"])
    card = await comment(telegram, HOSTILE_READER_ID, post, "<b>not bold</b>")
    name = f"{HOSTILE_FIRST_NAME} {HOSTILE_LAST_NAME}"
    assert name in card["text"]
    await press(telegram, MODERATOR_ID, card, Decision.APPROVE)
    await telegram.wait_for_bot_message(HOSTILE_READER_ID, contains="was published")
    telegram.user_sends_text(READER, f"/start {start_payload(post)}")
    view = await telegram.wait_for_bot_message(READER, contains="Send your comment")
    assert f"{name}: <b>not bold</b>" in view["text"]


async def test_an_edited_message_is_answered(telegram: FakeTelegram, bot: RunningBot) -> None:
    """Editing a sent message changes nothing sent, and the reader is told so."""
    _, post = await post_article(telegram)
    await comment(telegram, READER, post, "Typo here")
    sent = next(m for m in telegram.messages_in(READER) if m.get("text") == "Typo here")
    telegram.user_edits_text(READER, sent["message_id"], "Fixed here")
    await telegram.wait_for_bot_message(READER, contains="edits don't change")
    assert not [m for m in telegram.bot_messages_in(MODERATION_CHAT_ID) if "Fixed" in m["text"]]


async def test_an_acknowledgement_the_handler_could_not_send_is_sent_by_the_outbox_once(
    telegram: FakeTelegram, bot: RunningBot
) -> None:
    """The handler's own try meets a gateway error, then a 429: the outbox takes the row over,
    waits as told, and the reader hears "received" exactly once."""
    _, post = await post_article(telegram)
    telegram.user_sends_text(READER, f"/start {start_payload(post)}")
    await telegram.wait_for_bot_message(READER, contains="Send your comment")
    telegram.fail_next("sendMessage", 502, "Bad Gateway", chat_id=READER)
    telegram.fail_next(
        "sendMessage", 429, "Too Many Requests: retry after 1", chat_id=READER, retry_after=1
    )
    telegram.user_sends_text(READER, "Worth the wait")
    await telegram.wait_for_bot_message(READER, contains="awaits moderation", timeout=10)
    attempts = [
        c.status
        for c in telegram.calls
        if c.method == "sendMessage"
        and str(c.params.get("chat_id")) == str(READER)
        and "awaits moderation" in str(c.params.get("text"))
    ]
    assert attempts == [502, 429, 200]
