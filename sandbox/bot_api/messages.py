"""The bot's messages: sendMessage, copyMessage, the edits, deleteMessage and
sendChatAction, with the checks Telegram makes on their text, entities, replies and
reply_markup."""

from __future__ import annotations

import copy
import json
from typing import Any

from .html_parser import EntityParseError, parse_html, strip_formatted_text, utf16_length
from .limits import DELETE_WITHIN_SECONDS, MAX_CAPTION_LENGTH, MAX_TEXT_LENGTH
from .markup import MarkupError, validate_reply_markup
from .rate_limits import RateLimits
from .records import (
    CAPTIONED_MEDIA,
    COPIED_CONTENT,
    ApiError,
    Chat,
    StoredMessage,
    bad_request,
    not_implemented,
)

NOT_MODIFIED_DESCRIPTION = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)

_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)


class MessageMethods(RateLimits):
    """The Bot API methods that send, edit and delete the bot's messages."""

    def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._postable_chat(params["chat_id"])
        text, entities = self._formatted_text(params)
        markup = _reply_markup(params)
        reply_to = self._replied_message(chat, params)
        self._check_rate_limit(chat, "sendMessage")
        content: dict[str, Any] = {"text": text}
        if entities:
            content["entities"] = entities
        if markup is not None:
            content["reply_markup"] = markup
        sender = None if chat.type == "channel" else self.bot_user
        stored = self._store_message(chat, sender, content, reply_to, by_bot=True)
        if chat.type == "channel":
            self._forward_to_discussion_group(chat, stored)
        return stored.data

    def _copy_message(self, params: dict[str, Any]) -> dict[str, Any]:
        """copyMessage: the content of a message, sent anew (no link to the original); a
        new caption replaces the old one on media that carry captions."""
        chat = self._postable_chat(params["chat_id"])
        source = self._accessible_chat(params["from_chat_id"]).messages.get(params["message_id"])
        if source is None:
            raise bad_request("message to copy not found")
        content = {
            key: copy.deepcopy(source.data[key]) for key in COPIED_CONTENT if key in source.data
        }
        if not content:
            raise bad_request("message can't be copied")
        if "caption" in params:
            # Stickers and round videos carry no caption (assumed refused, as sending one
            # with a caption is not possible in the apps either).
            if not any(kind in content for kind in CAPTIONED_MEDIA):
                raise bad_request("message can't be copied: this message has no caption")
            caption, entities = self._formatted_text({**params, "text": params["caption"]})
            if len(caption) > MAX_CAPTION_LENGTH:
                raise bad_request("message caption is too long")
            content["caption"] = caption
            content.pop("caption_entities", None)
            if entities:
                content["caption_entities"] = entities
        elif len(content.get("caption", "")) > MAX_CAPTION_LENGTH:
            # A Premium reader's long caption, kept by the copy, would be the bot's own:
            # assumed refused as a bot's caption that long is (a bot's stay at 1024).
            raise bad_request("message caption is too long")
        markup = _reply_markup(params)
        if markup is not None:
            content["reply_markup"] = markup
        reply_to = self._replied_message(chat, params)
        self._check_rate_limit(chat, "copyMessage")
        sender = None if chat.type == "channel" else self.bot_user
        stored = self._store_message(chat, sender, content, reply_to, by_bot=True)
        return {"message_id": stored.data["message_id"]}

    def _edit_message_text(self, params: dict[str, Any]) -> dict[str, Any]:
        chat, stored = self._editable_message(params)
        if "text" not in stored.data:
            raise bad_request("there is no text in the message to edit")
        text, entities = self._formatted_text(params)
        markup = _reply_markup(params)
        unchanged = (
            stored.data["text"] == text
            and stored.data.get("entities", []) == entities
            and stored.data.get("reply_markup") == markup
        )
        if unchanged:
            raise ApiError(400, NOT_MODIFIED_DESCRIPTION)
        self._check_rate_limit(chat, "editMessageText")
        stored.data["text"] = text
        _set_or_drop(stored.data, "entities", entities or None)
        _set_or_drop(stored.data, "reply_markup", markup)
        stored.data["edit_date"] = int(self.now())
        self._notify()
        return stored.data

    def _edit_message_caption(self, params: dict[str, Any]) -> dict[str, Any]:
        chat, stored = self._editable_message(params)
        if not any(kind in stored.data for kind in CAPTIONED_MEDIA):
            raise bad_request("there is no caption in the message to edit")
        caption, entities = self._formatted_text({**params, "text": params.get("caption", "")})
        if len(caption) > MAX_CAPTION_LENGTH:
            raise bad_request("message caption is too long")
        if (
            stored.data.get("caption", "") == caption
            and stored.data.get("caption_entities", []) == entities
        ):
            raise ApiError(400, NOT_MODIFIED_DESCRIPTION)
        self._check_rate_limit(chat, "editMessageCaption")
        _set_or_drop(stored.data, "caption", caption or None)
        _set_or_drop(stored.data, "caption_entities", entities or None)
        stored.data["edit_date"] = int(self.now())
        self._notify()
        return stored.data

    def _edit_message_reply_markup(self, params: dict[str, Any]) -> dict[str, Any]:
        chat, stored = self._editable_message(params)
        markup = _reply_markup(params)
        if stored.data.get("reply_markup") == markup:
            raise ApiError(400, NOT_MODIFIED_DESCRIPTION)
        self._check_rate_limit(chat, "editMessageReplyMarkup")
        _set_or_drop(stored.data, "reply_markup", markup)
        stored.data["edit_date"] = int(self.now())
        self._notify()
        return stored.data

    def _delete_message(self, params: dict[str, Any]) -> bool:
        chat = self._accessible_chat(params["chat_id"])
        message_id = params["message_id"]
        stored = chat.messages.get(message_id)
        if stored is None:
            raise bad_request("message to delete not found")
        # The Bot API's deleteMessage: nothing older than 48 hours; in a group, others'
        # messages only as an administrator with can_delete_messages.
        too_old = int(self.now()) - stored.data["date"] > DELETE_WITHIN_SECONDS
        others_in_group = chat.type in {"group", "supergroup"} and not stored.by_bot
        may_delete_others = (
            chat.bot_status in {"administrator", "creator"}
            and "can_delete_messages" not in chat.bot_rights_withheld
        )
        if too_old or (others_in_group and not may_delete_others):
            raise bad_request("message can't be deleted")
        del chat.messages[message_id]
        return True

    def _send_chat_action(self, params: dict[str, Any]) -> bool:
        """sendChatAction: "typing…" for a few seconds; no message, no place in a budget."""
        self._writable_chat(params["chat_id"])
        if params.get("action") not in _CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        return True

    def _editable_message(self, params: dict[str, Any]) -> tuple[Chat, StoredMessage]:
        if "inline_message_id" in params:
            raise not_implemented("editing inline messages")
        if "chat_id" not in params:
            raise bad_request("chat_id is empty")
        if "message_id" not in params:
            raise bad_request("message identifier is not specified")
        chat = self._writable_chat(params["chat_id"])
        stored = chat.messages.get(params["message_id"])
        if stored is None:
            raise bad_request("message to edit not found")
        if not stored.by_bot:
            raise bad_request("message can't be edited")
        return chat, stored

    def _formatted_text(self, params: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
        raw = params["text"]
        text = raw if isinstance(raw, str) else json.dumps(raw)
        entities: list[dict[str, Any]] = []
        given_entities = params.get("entities")
        parse_mode = params.get("parse_mode")
        if given_entities:
            entities = _checked_entities(given_entities, text)
        elif parse_mode:
            mode = str(parse_mode).lower()
            if mode == "html":
                try:
                    text, entities = parse_html(text, self._users.get)
                except EntityParseError as exc:
                    raise bad_request(f"can't parse entities: {exc}") from None
            elif mode in {"markdown", "markdownv2"}:
                raise not_implemented(f"parse_mode {parse_mode}")
            else:
                raise bad_request(f"unsupported parse_mode {parse_mode}")
        text, entities = strip_formatted_text(text, entities)
        if not text:
            raise bad_request("message text is empty")
        if len(text) > MAX_TEXT_LENGTH:
            raise bad_request("message is too long")
        return text, entities

    def _caption_of(self, params: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
        caption, entities = self._formatted_text({**params, "text": params.get("caption", "")})
        if len(caption) > MAX_CAPTION_LENGTH:
            raise bad_request("message caption is too long")
        return caption, entities

    def _replied_message(self, chat: Chat, params: dict[str, Any]) -> StoredMessage | None:
        reply = params.get("reply_parameters")
        if reply is None and "reply_to_message_id" in params:
            reply = {
                "message_id": params["reply_to_message_id"],
                "allow_sending_without_reply": params.get("allow_sending_without_reply", False),
            }
        if reply is None:
            return None
        if not isinstance(reply, dict) or not isinstance(reply.get("message_id"), int):
            raise bad_request("can't parse reply parameters JSON object")
        if "chat_id" in reply and self._resolve_chat(reply["chat_id"]).id != chat.id:
            raise not_implemented("replies to a message in another chat")
        stored = chat.messages.get(reply["message_id"])
        if stored is None and not reply.get("allow_sending_without_reply"):
            raise bad_request("message to be replied not found")
        return stored


def _reply_markup(params: dict[str, Any]) -> dict[str, Any] | None:
    try:
        return validate_reply_markup(params.get("reply_markup"))
    except MarkupError as exc:
        raise bad_request(str(exc)) from None


def _checked_entities(entities: Any, text: str) -> list[dict[str, Any]]:
    if not isinstance(entities, list) or not all(isinstance(e, dict) for e in entities):
        raise bad_request("can't parse entities JSON object")
    total = utf16_length(text)
    for entity in entities:
        offset, length = entity.get("offset"), entity.get("length")
        if not isinstance(offset, int) or not isinstance(length, int) or "type" not in entity:
            raise bad_request("can't parse MessageEntity JSON object")
        if offset < 0 or length <= 0 or offset + length > total:
            raise bad_request("entity beginning or end is out of text bounds")
    return [dict(e) for e in entities]


def _set_or_drop(data: dict[str, Any], key: str, value: Any) -> None:
    if value is None:
        data.pop(key, None)
    else:
        data[key] = value
