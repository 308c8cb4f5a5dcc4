"""The spam check: no Telegram, no storage of its own beyond storage.spam.

For the bot (see README, Spam, and bot/spam/filter.py):

    spam_filter = await SpamFilter.open(database, Thresholds(settings.spam_threshold,
                                                             settings.spam_unsure_threshold))
    result = spam_filter.check(text, author=AuthorRecord(user_id, approved=…, spam=…,
                                                          earlier_messages=…))
    result.verdict  # Verdict.SPAM | Verdict.UNSURE | Verdict.HAM
    result.score    # 0.0–1.0
    result.reasons  # Reason(kind, count, minutes), strongest first; .text in English
    await spam_filter.learn(text, spam=True)   # 🧹 Spam
    await spam_filter.learn(text, spam=False)  # an approval, ↩️ Not spam

`fingerprint(normalise(text))` and `near_identical(a, b)` group a wave's copies.
"""
