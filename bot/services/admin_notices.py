"""What the bot tells the newsroom's admins privately: notices written to the outbox (one
row per admin, rendered in each admin's language when delivered), some of them once only
(a missing right, a kind of delivery that keeps failing)."""

from __future__ import annotations

from enum import StrEnum

import aiosqlite

from bot.services.effects import Effect
from bot.settings import Settings
from storage import bot_state, outbox
from storage.db import Database


class AdminNotice(StrEnum):
    MODERATION_CHAT_DOWN = "moderation_chat_down"
    MODERATION_CHAT_BACK = "moderation_chat_back"
    ARTICLE_POSTED = "article_posted"
    ARTICLE_POST_FAILED = "article_post_failed"
    ARTICLE_POST_UNCONFIRMED = "article_post_unconfirmed"
    ARTICLE_UNPUBLISHED = "article_unpublished"
    DELIVERY_FAILED = "delivery_failed"
    MISSING_RIGHT = "missing_right"
    CHAT_DISCOVERED = "chat_discovered"
    CHAT_MOVED = "chat_moved"
    FEED_FIRST_SEEN = "feed_first_seen"
    FEED_FAILING = "feed_failing"
    FEED_RECOVERED = "feed_recovered"
    THREAD_POST_FAILED = "thread_post_failed"
    MEDIA_COPY_FAILED = "media_copy_failed"


def admin_notice_row(
    admin_id: int, notice: AdminNotice, **details: int | str | None
) -> outbox.NewRow:
    return outbox.NewRow(Effect.ADMIN_NOTICE, str(admin_id), {"notice": notice.value, **details})


async def _to_every_admin(
    conn: aiosqlite.Connection,
    settings: Settings,
    notice: AdminNotice,
    now: float,
    **details: int | str | None,
) -> None:
    await outbox.enqueue_all(
        conn,
        [admin_notice_row(admin_id, notice, **details) for admin_id in settings.admin_ids],
        now,
    )


async def tell_admins(
    conn: aiosqlite.Connection, settings: Settings, notice: AdminNotice, reason: str, now: float
) -> None:
    await _to_every_admin(conn, settings, notice, now, reason=reason)


async def tell_admins_about_feed(
    conn: aiosqlite.Connection,
    settings: Settings,
    notice: AdminNotice,
    url: str,
    detail: str,
    now: float,
) -> None:
    await _to_every_admin(conn, settings, notice, now, url=url, detail=detail)


# What the bot lacks in a chat when it is not there at all, or not an administrator there
# (bot.chats.rights_found): each stands for every right it would need there.
_WHOLE_MEMBERSHIP = ("member", "administrator")


async def report_missing_right(
    conn: aiosqlite.Connection, settings: Settings, chat_id: int | str, right: str, now: float
) -> None:
    """Tell the admins, once per chat and right, which right the bot needs there. Not a
    particular right while they know the bot is not in the chat, or a plain member there
    (a demoted bot still meets messages it cannot take down: replies to its own): what they
    were told asks for the rights too, and any still missing is told once it is back."""
    if right not in _WHOLE_MEMBERSHIP:
        for whole in _WHOLE_MEMBERSHIP:
            if (
                await bot_state.get(conn, f"{bot_state.MISSING_RIGHT}:{chat_id}:{whole}")
                is not None
            ):
                return
    if not await bot_state.set_if_absent(
        conn, f"{bot_state.MISSING_RIGHT}:{chat_id}:{right}", str(now)
    ):
        return
    await tell_admins(conn, settings, AdminNotice.MISSING_RIGHT, f"{right}:{chat_id}", now)


async def forget_missing_right(conn: aiosqlite.Connection, chat_id: int | str, right: str) -> None:
    """Forget that admins were told of a missing right: it is held (again), or they could
    not be told. Should it be (or still be) missing later, they hear of it."""
    await bot_state.clear(conn, f"{bot_state.MISSING_RIGHT}:{chat_id}:{right}")


async def report_delivery_failure(
    conn: aiosqlite.Connection, settings: Settings, action: str, reason: str, now: float
) -> None:
    """A delivery the bot itself kept failing was given up: admins hear it once per kind
    of message (the log has every row)."""
    if not await bot_state.set_if_absent(conn, f"{bot_state.DELIVERY_FAILED}:{action}", reason):
        return
    await _to_every_admin(
        conn, settings, AdminNotice.DELIVERY_FAILED, now, action=action, reason=reason
    )


async def report_moderation_chat_down(
    db: Database, settings: Settings, reason: str, now: float
) -> bool:
    """Tell the admins, once per outage, that cards cannot reach the moderation chat."""
    async with db.transaction() as conn:
        if not await bot_state.set_if_absent(conn, bot_state.MODERATION_CHAT_DOWN, reason):
            return False
        await tell_admins(conn, settings, AdminNotice.MODERATION_CHAT_DOWN, reason, now)
    return True


async def report_moderation_chat_back(db: Database, settings: Settings, now: float) -> bool:
    async with db.transaction() as conn:
        if not await bot_state.clear(conn, bot_state.MODERATION_CHAT_DOWN):
            return False
        await tell_admins(conn, settings, AdminNotice.MODERATION_CHAT_BACK, "", now)
    return True


async def moderation_chat_is_down(db: Database) -> bool:
    async with db.reading() as conn:
        return await bot_state.get(conn, bot_state.MODERATION_CHAT_DOWN) is not None
