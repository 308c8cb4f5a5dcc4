"""What people do in Telegram (write, edit, send a photo, block the bot), and which of it
reaches the bot as an update."""

from __future__ import annotations

import copy
import re
from typing import Any

from .html_parser import utf16_length
from .limits import MAX_CAPTION_LENGTH, MAX_PREMIUM_CAPTION_LENGTH
from .records import Chat, StoredMessage
from .world import WorldState

# The `from` of a message sent on behalf of a channel (sender_chat), kept "for backward
# compatibility" as the Bot API's Message.from says.
CHANNEL_BOT_USER: dict[str, Any] = {
    "id": 136817688,
    "is_bot": True,
    "first_name": "Channel",
    "username": "Channel_Bot",
}

# An anonymous administrator of a group writes as this bot, with the group itself as
# sender_chat (Telegram's "Remain anonymous" admin right).
GROUP_ANONYMOUS_BOT_USER: dict[str, Any] = {
    "id": 1087968824,
    "is_bot": True,
    "first_name": "Group",
    "username": "GroupAnonymousBot",
}

_COMMAND = re.compile(r"/[A-Za-z0-9_]{1,32}(@[A-Za-z0-9_]{3,32})?(?![A-Za-z0-9_@])")


class UserActions(WorldState):
    """People acting: each action stores its message and queues the update the bot would get."""

    def user_sends_text(
        self,
        user_id: int,
        text: str,
        chat_id: int | None = None,
        reply_to_message_id: int | None = None,
    ) -> dict[str, Any]:
        content: dict[str, Any] = {"text": text}
        entities = self._command_entities(text)
        if entities:
            content["entities"] = entities
        return self._user_message(user_id, chat_id, content, reply_to_message_id)

    def user_edits_text(
        self, user_id: int, message_id: int, text: str, chat_id: int | None = None
    ) -> dict[str, Any]:
        """The user edits one of their text messages: an `edited_message` update."""
        chat = self._existing_chat(user_id if chat_id is None else chat_id)
        stored = chat.messages.get(message_id)
        if stored is None or stored.by_bot or stored.data.get("from", {}).get("id") != user_id:
            raise ValueError(f"user {user_id} has no message {message_id} in chat {chat.id}")
        stored.data["text"] = text
        stored.data["edit_date"] = int(self.now())
        if self._bot_receives(chat, stored.data, None):
            self._enqueue("edited_message", stored.data)
        self._notify()
        return copy.deepcopy(stored.data)

    def user_sends_sticker(
        self, user_id: int, chat_id: int | None = None, reply_to_message_id: int | None = None
    ) -> dict[str, Any]:
        file_id, unique_id = self._new_file_ids("CAACAgIAAxkBAA")
        sticker = {
            "file_id": file_id,
            "file_unique_id": unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": "\N{THUMBS UP SIGN}",
        }
        self._files[file_id] = ("sticker", sticker)
        return self._user_message(user_id, chat_id, {"sticker": sticker}, reply_to_message_id)

    def user_sends_location(
        self,
        user_id: int,
        chat_id: int | None = None,
        reply_to_message_id: int | None = None,
    ) -> dict[str, Any]:
        location = {"latitude": 19.4326, "longitude": -99.1332}
        return self._user_message(user_id, chat_id, {"location": location}, reply_to_message_id)

    def user_sends_photo(
        self,
        user_id: int,
        chat_id: int | None = None,
        caption: str | None = None,
        reply_to_message_id: int | None = None,
        *,
        media_group_id: str | None = None,
        same_photo_as: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """`media_group_id`: one picture of an album (Telegram sends each as a message of
        its own, all with the album's media_group_id). `same_photo_as`: the picture of that
        message sent again, whose file_unique_id is the same ("supposed to be the same over
        time and for different bots", core.telegram.org/bots/api#photosize)."""
        sizes = same_photo_as["photo"] if same_photo_as is not None else self._photo_sizes()
        content: dict[str, Any] = {"photo": sizes}
        if media_group_id is not None:
            content["media_group_id"] = media_group_id
        if caption is not None:
            premium = self._existing_user(user_id).get("is_premium", False)
            limit = MAX_PREMIUM_CAPTION_LENGTH if premium else MAX_CAPTION_LENGTH
            if len(caption) > limit:
                raise ValueError(f"Telegram lets this user send captions of {limit} at most")
            content["caption"] = caption
            entities = self._command_entities(caption)
            if entities:
                content["caption_entities"] = entities
        return self._user_message(user_id, chat_id, content, reply_to_message_id)

    def channel_sends_text(
        self, channel_id: int, text: str, chat_id: int, reply_to_message_id: int | None = None
    ) -> dict[str, Any]:
        """Someone writes in a group on behalf of a channel they own ("send as")."""
        channel = self._existing_chat(channel_id)
        chat = self._existing_chat(chat_id)
        if channel.id in chat.banned_sender_chats:
            raise ValueError(f"channel {channel_id} is banned in chat {chat_id} and cannot write")
        reply_to = chat.messages.get(reply_to_message_id) if reply_to_message_id else None
        content = {"sender_chat": channel.as_chat(), "text": text}
        stored = self._store_message(chat, CHANNEL_BOT_USER, content, reply_to, by_bot=False)
        if self._bot_receives(chat, stored.data, reply_to):
            self._enqueue("message", stored.data)
        self._notify()
        return copy.deepcopy(stored.data)

    def sender_chat_is_banned(self, chat_id: int, channel_id: int) -> bool:
        return channel_id in self._existing_chat(chat_id).banned_sender_chats

    def editor_posts_in_channel(self, channel_id: int, text: str) -> dict[str, Any]:
        """Someone posts in a channel by hand, not through the bot: Telegram copies the post
        into the channel's linked discussion group as it copies the bot's (README "Channels
        and their discussion groups"). No channel_post update: the bot does not ask for them."""
        channel = self._existing_chat(channel_id)
        if channel.type != "channel":
            raise ValueError(f"chat {channel_id} is not a channel")
        stored = self._store_message(channel, None, {"text": text}, None, by_bot=False)
        self._forward_to_discussion_group(channel, stored)
        self._notify()
        return copy.deepcopy(stored.data)

    def anonymous_admin_sends_text(
        self, chat_id: int, text: str, reply_to_message_id: int | None = None
    ) -> dict[str, Any]:
        """An administrator who remains anonymous writes in a group: the message comes from
        GroupAnonymousBot, signed by the group itself (sender_chat)."""
        chat = self._existing_chat(chat_id)
        if chat.type != "supergroup":
            raise ValueError("anonymous admins write in supergroups only")
        reply_to = chat.messages.get(reply_to_message_id) if reply_to_message_id else None
        content: dict[str, Any] = {"sender_chat": chat.as_chat(), "text": text}
        entities = self._command_entities(text)
        if entities:
            content["entities"] = entities
        stored = self._store_message(
            chat, GROUP_ANONYMOUS_BOT_USER, content, reply_to, by_bot=False
        )
        if self._bot_receives(chat, stored.data, reply_to):
            self._enqueue("message", stored.data)
        self._notify()
        return copy.deepcopy(stored.data)

    def user_blocks_bot(self, user_id: int) -> None:
        user = self._existing_user(user_id)
        self._blocked_by.add(user_id)
        chat = self._chats.get(user_id)
        if chat is not None:
            self._enqueue_my_chat_member(chat, user, "member", "kicked")
        self._notify()

    def _user_message(
        self,
        user_id: int,
        chat_id: int | None,
        content: dict[str, Any],
        reply_to_message_id: int | None,
    ) -> dict[str, Any]:
        user = self._existing_user(user_id)
        if chat_id is None or chat_id == user_id:
            chat = self._chats.get(user_id)
            if chat is None:
                chat = Chat(
                    id=user_id,
                    type="private",
                    username=user.get("username"),
                    first_name=user["first_name"],
                    last_name=user.get("last_name"),
                    bot_status="member",
                )
                self._chats[user_id] = chat
            # Writing to a bot one blocked unblocks it, as "Restart" does in the apps.
            self._blocked_by.discard(user_id)
        else:
            chat = self._existing_chat(chat_id)
            if chat.type == "channel":
                raise ValueError("users do not post in channels; the bot does (sendMessage)")
            status = self._member_status(chat, user_id)
            if user_id not in chat.members:
                status = chat.members[user_id] = "member"
            if status in {"left", "kicked"}:
                raise ValueError(f"user {user_id} is {status} in chat {chat_id} and cannot write")
        reply_to = None
        if reply_to_message_id is not None:
            reply_to = chat.messages.get(reply_to_message_id)
            if reply_to is None:
                raise ValueError(f"message {reply_to_message_id} does not exist in chat {chat.id}")
        stored = self._store_message(chat, user, content, reply_to, by_bot=False)
        if self._bot_receives(chat, stored.data, reply_to):
            self._enqueue("message", stored.data)
        self._notify()
        return copy.deepcopy(stored.data)

    def _command_entities(self, text: str) -> list[dict[str, Any]]:
        match = _COMMAND.match(text)
        if match is None:
            return []
        return [{"type": "bot_command", "offset": 0, "length": utf16_length(match.group(0))}]

    def _bot_receives(
        self, chat: Chat, message: dict[str, Any], reply_to: StoredMessage | None
    ) -> bool:
        if chat.type == "private":
            return True
        if chat.bot_status in {"administrator", "creator"}:
            return True
        if chat.bot_status not in {"member", "restricted"}:
            return False
        if not chat.bot_privacy_mode:
            return True
        # Privacy mode (core.telegram.org/bots/features#privacy-mode): a bot that is not an
        # admin sees commands meant for it (/queue@bot), general commands only if it was
        # the last bot to write in the group (this fake knows one bot: if it ever wrote
        # there), replies to its messages, and mentions.
        text = message.get("text", message.get("caption", ""))
        command = _COMMAND.match(text)
        addressed = command is not None and (
            (command.group(1) is None and any(stored.by_bot for stored in chat.messages.values()))
            or (command.group(1) or "").lower() == f"@{self.bot_username}".lower()
        )
        return (
            addressed
            or (reply_to is not None and reply_to.by_bot)
            or f"@{self.bot_username}".lower() in text.lower()
        )
