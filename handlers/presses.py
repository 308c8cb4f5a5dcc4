"""Answering a button press, which only stops the button's spinner."""

from __future__ import annotations

import logging

from telegram import CallbackQuery
from telegram.error import BadRequest

from storage import processed_updates

logger = logging.getLogger(__name__)


async def answer_press(
    query: CallbackQuery, text: str | None = None, *, alert: bool = False
) -> None:
    """Answer a press once its change is made.

    Telegram takes one answer per press, within about 15 s; later it refuses with "query
    is too old". A press handled again after a failure may have been answered by the error
    handler already, and one handled after a restart may be too old: either way the work
    is done and must not fail on the answer.
    """
    handled = processed_updates.current()
    if handled is not None and handled.press_answered:
        return
    try:
        await query.answer(text, show_alert=alert)
    except BadRequest as error:
        if "query is too old" not in error.message.lower():
            raise
        logger.info("Press %s could not be answered any more: %s", query.id, error.message)
