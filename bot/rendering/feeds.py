"""The blog's feeds as admins see them in their private chat, in their own language: /feeds,
and what the bot tells them when it first reads a feed, when one keeps failing, and when it
works again.

The feeds' own words (an error's description) stay as they came."""

from __future__ import annotations

from collections.abc import Sequence

from bot.i18n import Texts
from bot.rendering.common import esc
from bot.text import shorten
from storage.models import FeedState


def feed_notice(t: Texts, notice: str, url: str, detail: str) -> str:
    """What the admins hear of one of the blog's feeds. `detail`: for feed_first_seen the
    number of entries it had, for feed_failing the error."""
    feed = f"<code>{esc(shorten(url, 300))}</code>"
    if notice == "feed_first_seen":
        entries = int(detail) if detail.isdigit() else 0
        return t.ngettext(
            "📰 Feed {feed}: {count} existing entry recorded; new ones will be posted to the"
            " channel.",
            "📰 Feed {feed}: {count} existing entries recorded; new ones will be posted to the"
            " channel.",
            entries,
        ).format(feed=feed, count=entries)
    if notice == "feed_failing":
        return t.gettext(
            "⚠️ Feed {feed} has failed several times in a row: {error}. I keep trying, less"
            " often, and tell you when it works again."
        ).format(feed=feed, error=esc(shorten(detail, 300)))
    return t.gettext("✅ Feed {feed} works again.").format(feed=feed)


# Ten feeds with long URLs and errors stay well inside a 4096-character message.
FEEDS_SHOWN = 10


def feed_list(t: Texts, states: Sequence[FeedState], now: float) -> str:
    """/feeds: each feed's last fetch and result, the entries it posted, its last error."""
    if not states:
        return t.gettext(
            "📰 No feeds: set FEED_URLS in .env (comma-separated) to post new articles from"
            " the blog's feed by themselves."
        )
    lines = [
        t.ngettext("📰 <b>{count} feed</b>", "📰 <b>{count} feeds</b>", len(states)).format(
            count=len(states)
        )
    ]
    for state in states[:FEEDS_SHOWN]:
        if state.last_fetch_at is None:
            fetched = t.gettext("not fetched yet")
        else:
            fetched = t.gettext("fetched {seconds} s ago: {result}").format(
                seconds=max(0, round(now - state.last_fetch_at)),
                result=esc(_result(t, state.last_result)),
            )
        posted = t.ngettext("{fetched}; {count} posted", "{fetched}; {count} posted", state.posted)
        lines.append(
            f"\n<code>{esc(shorten(state.url, 150))}</code>\n"
            + posted.format(fetched=fetched, count=state.posted)
        )
        if state.failures:
            lines.append(
                t.ngettext(
                    "⚠️ {count} failure in a row: {error}",
                    "⚠️ {count} failures in a row: {error}",
                    state.failures,
                ).format(count=state.failures, error=esc(shorten(state.last_error or "", 150)))
            )
    hidden = len(states) - FEEDS_SHOWN
    if hidden > 0:
        lines.append(
            "\n" + t.ngettext("…and {count} more", "…and {count} more", hidden).format(count=hidden)
        )
    return "\n".join(lines)


def _result(t: Texts, result: str | None) -> str:
    """A feed's last fetch, as bot.services.feeds records it."""
    results = {
        "ok": t.gettext("ok"),
        "not_modified": t.gettext("unchanged (304)"),
        "failed": t.gettext("failed"),
    }
    return results.get(result or "", "?")
