"""The spam check: no Telegram; its storage is storage/spam.py (migration 0021).

For the bot (bot/spam/filter.py; docs/operations.md, "Teach and try the spam check"):

    spam_filter = await SpamFilter.open(database, Thresholds(settings.spam_threshold,
                                                             settings.spam_unsure_threshold))
    result = spam_filter.check(text, author=AuthorRecord(user_id, approved=…, spam=…,
                                                          earlier_messages=…))
    result.verdict  # Verdict.SPAM | Verdict.UNSURE | Verdict.HAM
    result.score    # 0.0–1.0
    result.reasons  # Reason(kind: ReasonKind, count, minutes), strongest first; .text in English
    await spam_filter.learn(text, spam=True)    # 🧹 Spam, in a transaction of its own
    await spam_filter.learn_in(conn, [text], spam=False, source=MODERATOR)  # an approval,
                                                # ↩️ Not spam: inside the decision's transaction
    await spam_filter.refresh()  # after that commit; and what `python -m bot spam learn`
                                 # stored meanwhile

`check` with an author remembers the text for WAVE_MINUTES (waves from several accounts):
call it once per message received. `fingerprint(normalise(text))` (bot.spam.text) and
`near_identical(a, b)` (bot.spam.similarity) group a wave's copies; fingerprints are the
same in every process, so they may be stored.
"""
