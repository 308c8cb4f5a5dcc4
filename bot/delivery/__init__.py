"""Delivering the outbox to Telegram.

- `worker`: one lane per chat, a few chats at once, each chat's rows in order.
- `deliveries`: one function per effect; it makes the Telegram call and says what to
  record with the row once delivered.
- `outcome`: what a failed delivery means (retry later, hold the chat, give up), as data.
"""
