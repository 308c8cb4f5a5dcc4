"""Every text and keyboard the bot shows, as pure functions of domain data.

One module per audience; callers import the one they need
(`from bot.rendering import readers as reader_texts`), nothing is re-exported here:

- `common`: what several audiences share: `esc`, `visible_length`, times, deep links and
  article payloads, `Card`, `person_line`, limits used across audiences, and the texts any
  audience may see (a stale button, something gone wrong).
- `readers`: readers in their private chat: welcome, help, the article view,
  acknowledgements, the outcome of their submissions, and refusals.
- `contact`: the contact form's questions and the conversation between editors and readers.
- `moderation`: the moderation group's cards and their continuations, and the review desk.
- `moderation_answers`: what moderators are answered there: decisions, refusals, the
  queue, the inbox.
- `record`: the moderation record: a card's one-line summary and notes, /history and
  the answers to /history and /note.
- `bans`: /ban, /unban, /bans, and a card's ban line and term buttons.
- `reports`: /stats for moderators and /status for admins.
- `channel`: the channel post, its comments button, and a comment posted in its thread.
- `admins`: admins' private chat: /post, /articles, /unpublish, and notices about
  posting, the moderation chat and deliveries given up.
- `feeds`: the blog's feeds in admins' private chat: /feeds, and notices about a feed
  read for the first time, failing, or working again.

All messages use HTML parse mode; every user-supplied string goes through `common.esc`.
Lengths are counted in UTF-16 code units, Telegram's unit, which is never fewer
than the characters a user sees, so a message that fits here fits there.
"""
