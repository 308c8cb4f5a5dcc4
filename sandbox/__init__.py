"""The sandbox: the whole newsroom on one machine, with no Telegram account.

`sandbox.bot_api` is a strict fake of the Telegram Bot API (it refuses what Telegram
refuses); the tests and benchmarks run the bot against it too.
"""
