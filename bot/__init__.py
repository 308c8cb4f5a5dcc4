"""A moderated comment-and-contact bot for a news blog's Telegram channel."""
