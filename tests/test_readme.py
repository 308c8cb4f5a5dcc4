"""What the README itself must tell an editor, before any link is followed."""

from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def test_the_readme_tells_moderators_what_happens_to_spam_and_how_to_undo_it() -> None:
    """Issue 21: what the bot does with spam (removed, its author banned, flagged when
    unsure, a wave one tap) and how a catch is undone (`/spam`, `↩️ Not spam`)."""
    text = README.read_text(encoding="utf-8")
    for words in ("🧹 Spam", "⚠️ Likely spam", "/spam", "↩️ Not spam", "SPAM_FILTER"):
        assert words in text, words


def test_the_readme_says_why_the_spam_check_is_built_as_it_is_and_where_its_figures_are() -> None:
    """Issue 21: the library choice explained, and the benchmark's figures, from the README."""
    text = README.read_text(encoding="utf-8")
    assert "scikit-learn" in text
    assert "docs/operations.md#teach-and-try-the-spam-check" in text
    assert "(docs/benchmarks.md)" in text
