"""Delivering the outbox to Telegram.

- `worker`: one lane per chat, a few chats at once, each chat's rows in order.
- `deliveries`: one function per effect; it makes the Telegram call and says what to
  record with the row once delivered.
- `outcome`: what a failed delivery means (retry later, hold the chat, give up), as data.
- `settling`: writing down what became of a row once it was tried.
- `group_minute`: how a group's 20 messages a minute are shared among its rows.
"""
