"""Telegram's limits, as the fake enforces them."""

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
# Premium users may send captions up to 4096 characters; a bot's stay at 1024
# (/work/shared/telegram/README.md, "What the Bot API server fills in for you").
MAX_PREMIUM_CAPTION_LENGTH = 4096
MAX_CALLBACK_ANSWER_LENGTH = 200
CALLBACK_QUERY_LIFETIME_SECONDS = 15.0
# deleteMessage: "A message can only be deleted if it was sent less than 48 hours ago."
DELETE_WITHIN_SECONDS = 48 * 3600
RATE_LIMIT_WINDOW_SECONDS = 60.0
# Telegram lets a private chat take a short burst before its one message a second binds;
# how short it does not say: three is a cautious guess.
PRIVATE_BURST = 3
MAX_BOT_COMMANDS = 100
# banChatMember's until_date: a ban ending sooner or later than these is for good.
BAN_SHORTEST_SECONDS = 30
BAN_LONGEST_SECONDS = 366 * 86400
