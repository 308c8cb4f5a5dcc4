"""What reaches the bot: the update queue, getUpdates' long poll, and webhooks (the fake
posts to none: a webhook set only stops getUpdates, as on the real server)."""

from __future__ import annotations

import asyncio
import contextlib
import copy
from typing import Any

from .records import ApiError
from .world import WorldState

# How long a held answer waits for the bot to handle the updates its call caused.
HELD_ANSWER_TIMEOUT_SECONDS = 30.0

CONFLICT_DESCRIPTION = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
# getUpdates while a webhook is set (quoted in /work/shared/telegram/README.md), and a
# waiting poll that setWebhook ends: tdlib/telegram-bot-api's Client.cpp,
# process_get_updates_query and abort_long_poll.
WEBHOOK_ACTIVE_DESCRIPTION = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
ENDED_BY_SET_WEBHOOK_DESCRIPTION = "Conflict: terminated by setWebhook request"

# Updates a bot gets when getUpdates never named allowed_updates (or named none).
_DEFAULT_EXCLUDED_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


class Updates(WorldState):
    """getUpdates and the webhook methods, and the updates tests queue or expire."""

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        # Refused before anything else, so it neither ends a waiting poll nor confirms
        # updates by its offset (the real server checks the webhook first too).
        if self._webhook_url:
            raise ApiError(409, WEBHOOK_ACTIVE_DESCRIPTION)
        # As on the real server, a new poll ends the one still waiting, which then
        # answers 409; this is what two bot instances sharing a token see.
        self._poll_generation += 1
        generation = self._poll_generation
        self._notify()
        if "allowed_updates" in params:
            allowed = params["allowed_updates"]
            self._allowed_updates = frozenset(allowed) if allowed else None
        offset = params.get("offset")
        if isinstance(offset, int) and offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif isinstance(offset, int) and offset < 0:
            self._updates = self._updates[offset:]
        limit = min(max(int(params.get("limit", 100)), 1), 100)
        timeout = max(float(params.get("timeout", 0)), 0.0)

        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if generation != self._poll_generation:
                # Ended by a newer poll, or (a webhook now set) by set_webhook.
                raise ApiError(
                    409,
                    ENDED_BY_SET_WEBHOOK_DESCRIPTION if self._webhook_url else CONFLICT_DESCRIPTION,
                )
            self._updates = [u for u in self._updates if self._is_allowed(u)]
            if self._updates or self._stopping:
                if self._updates and self._on_delivery is not None:
                    delay, callback = self._on_delivery
                    self._on_delivery = None
                    # After the answer is on its way: the bot has the updates, then this.
                    loop.call_later(delay, callback)
                return copy.deepcopy(self._updates[:limit])
            remaining = deadline - loop.time()
            if remaining <= 0:
                return []
            self._waiting_polls += 1
            self._notify()
            changed = self._changed
            try:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(changed.wait(), remaining)
            finally:
                self._waiting_polls -= 1

    def _is_allowed(self, update: dict[str, Any]) -> bool:
        kind = next(key for key in update if key != "update_id")
        if self._allowed_updates is None:
            return kind not in _DEFAULT_EXCLUDED_UPDATES
        return kind in self._allowed_updates

    async def _until_handled(self, update_ids: range) -> None:
        """Until no update of `update_ids` waits: a later getUpdates confirmed them all."""
        # Wakes the waiting poll: the updates were queued while acting.
        self._notify()
        await self._wait(
            lambda: not any(update["update_id"] in update_ids for update in self._updates),
            HELD_ANSWER_TIMEOUT_SECONDS,
            lambda: f"the bot to handle updates {list(update_ids)}",
        )

    def _delete_webhook(self, params: dict[str, Any]) -> bool:
        self._webhook_url = ""
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    def _get_webhook_info(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": self._webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }

    def set_webhook(self, url: str) -> None:
        """Someone sets a webhook for the token (another deployment, a curl by hand): a
        waiting getUpdates ends with 409, and every later one answers 409 until
        deleteWebhook. Updates stay queued: the fake posts nothing to `url`."""
        if not url:
            raise ValueError("a webhook needs a url; deleteWebhook removes one")
        self._webhook_url = url
        # Ends the waiting poll, as setWebhook does on the real server.
        self._poll_generation += 1
        self._notify()

    def send_raw_update(self, kind: str, payload: dict[str, Any]) -> None:
        """An update exactly as given, for the bot's handling of what it cannot read (a
        field python-telegram-bot requires is missing, as a newer Bot API may allow)."""
        self._enqueue(kind, payload)
        self._notify()

    def expire_pending_updates(self) -> None:
        """Updates not fetched are kept 24 hours at most (the Bot API's getUpdates: "they
        will not be kept longer than 24 hours"): a bot down for longer never hears of what
        happened meanwhile."""
        self._updates.clear()
        self._notify()
