"""Chats and their members as the bot sees and changes them: getChat, getChatMember,
leaveChat, and bans (of members and of channels writing in a group)."""

from __future__ import annotations

from typing import Any

from .limits import BAN_LONGEST_SECONDS, BAN_SHORTEST_SECONDS
from .records import Chat, bad_request
from .world import WorldState


class MemberMethods(WorldState):
    """The Bot API methods about chats and their members."""

    def _get_chat(self, params: dict[str, Any]) -> dict[str, Any]:
        # Read access: an upgraded group answers as the basic group it was, with no word
        # of its supergroup (ChatFullInfo has no migrate_to_chat_id).
        chat = self._accessible_chat(params["chat_id"], write=False)
        info: dict[str, Any] = {
            **chat.as_chat(),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }
        if chat.linked_chat_id is not None:
            info["linked_chat_id"] = chat.linked_chat_id
        return info

    def _get_chat_member(self, params: dict[str, Any]) -> dict[str, Any]:
        user_id = params["user_id"]
        # The bot's own membership needs read access only; others' need the member list
        # (Client.cpp, process_get_chat_member_query).
        chat = self._accessible_chat(params["chat_id"], write=user_id != self.bot_id)
        if user_id == self.bot_id:
            if chat.migrated_to is not None:
                # An upgraded group's member list is gone ("member list is inaccessible in
                # deactivated groups", Client.cpp): TDLib finds nobody there and answers
                # "left" (ChatManager::finish_get_chat_participant).
                return self._chat_member(self.bot_user, "left", chat)
            return self._chat_member(self.bot_user, chat.bot_status, chat)
        user = self._users.get(user_id)
        if user is None:
            raise bad_request("user not found")
        if chat.type == "private":
            status = "member" if user_id == chat.id else "left"
        else:
            status = self._member_status(chat, user_id)
        return self._chat_member(user, status, chat)

    def _leave_chat(self, params: dict[str, Any]) -> bool:
        chat = self._accessible_chat(params["chat_id"])
        if chat.type == "private":
            raise bad_request("chat member status can't be changed in private chats")
        chat.bot_status = "left"
        return True

    def _restricting_chat(self, params: dict[str, Any]) -> Chat:
        """The chat, if the bot may ban and unban there (can_restrict_members)."""
        chat = self._accessible_chat(params["chat_id"])
        if chat.type == "private":
            raise bad_request("chat member status can't be changed in private chats")
        may_restrict = (
            chat.bot_status in {"administrator", "creator"}
            and "can_restrict_members" not in chat.bot_rights_withheld
        )
        if not may_restrict:
            raise bad_request("not enough rights to restrict/unrestrict chat member")
        return chat

    def _restrictable_member(self, params: dict[str, Any]) -> tuple[Chat, int]:
        chat = self._restricting_chat(params)
        user_id = params["user_id"]
        if user_id not in self._users:
            raise bad_request("user not found")
        if self._member_status(chat, user_id) in {"creator", "administrator"}:
            raise bad_request("user is an administrator of the chat")
        return chat, user_id

    def _ban_chat_member(self, params: dict[str, Any]) -> bool:
        chat, user_id = self._restrictable_member(params)
        chat.members[user_id] = "kicked"
        # "If user is banned for more than 366 days or less than 30 seconds from the
        # current time they are considered to be banned forever" (banChatMember's
        # until_date, bot-api-10.0.json); banning again replaces the end.
        until = params.get("until_date")
        ahead = until - self.now() if until else 0
        if until and BAN_SHORTEST_SECONDS <= ahead <= BAN_LONGEST_SECONDS:
            chat.banned_until[user_id] = until
        else:
            chat.banned_until.pop(user_id, None)
        return True

    def _unban_chat_member(self, params: dict[str, Any]) -> bool:
        chat, user_id = self._restrictable_member(params)
        if self._member_status(chat, user_id) == "kicked" or not params.get("only_if_banned"):
            chat.members[user_id] = "left"
            chat.banned_until.pop(user_id, None)
        return True

    def _ban_chat_sender_chat(self, params: dict[str, Any]) -> bool:
        chat = self._restricting_chat(params)
        self._resolve_chat(params["sender_chat_id"])
        chat.banned_sender_chats.add(params["sender_chat_id"])
        return True

    def _unban_chat_sender_chat(self, params: dict[str, Any]) -> bool:
        chat = self._restricting_chat(params)
        chat.banned_sender_chats.discard(params["sender_chat_id"])
        return True
