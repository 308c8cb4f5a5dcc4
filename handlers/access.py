"""Moderator-only commands: one check, one wording for those who may not."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.rendering import moderation as moderation_texts
from bot.runtime import Runtime


async def require_moderator(
    runtime: Runtime, update: Update, context: ContextTypes.DEFAULT_TYPE
) -> bool:
    """True for a moderator; anyone else (or an unanswerable check) is told why not."""
    assert update.effective_user is not None and update.effective_message is not None
    allowed = await runtime.moderators.is_moderator(context.bot, update.effective_user.id)
    if allowed:
        return True
    await runtime.reply(
        update.effective_message,
        moderation_texts.NOT_A_MODERATOR
        if allowed is False
        else moderation_texts.MODERATOR_CHECK_FAILED,
    )
    return False
