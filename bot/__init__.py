"""A moderated comment-and-contact bot for a news blog's Telegram channel."""

# Kept equal to pyproject.toml's version (tests/bot/test_version.py): the bot runs from a
# checkout as often as from an installed package, where package metadata would be missing.
__version__ = "0.1.0"
