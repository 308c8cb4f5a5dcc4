"""The sandbox's blog: an Atom feed the bot polls (FEED_URLS), served by the page's server."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime
from xml.sax.saxutils import escape, quoteattr


@dataclass(frozen=True)
class Entry:
    number: int
    title: str
    summary: str
    link: str
    published: datetime


@dataclass
class Blog:
    entries: list[Entry] = field(default_factory=list)
    fetches: int = 0
    _fetched: asyncio.Event = field(default_factory=asyncio.Event)

    def publish(self, title: str, summary: str) -> Entry:
        """A new entry, published now: the bot posts it at its next look at the feed."""
        number = len(self.entries) + 1
        entry = Entry(
            number,
            title,
            summary,
            f"https://blog.example/sandbox/{number}",
            datetime.now(UTC),
        )
        self.entries.append(entry)
        return entry

    def atom(self) -> bytes:
        """The feed as the bot fetches it; marks that it was fetched."""
        self.fetches += 1
        self._fetched.set()
        items = "".join(
            "<entry>"
            f"<id>tag:blog.example,2026:sandbox-{entry.number}</id>"
            f"<title>{escape(entry.title)}</title>"
            f"<published>{entry.published.strftime('%Y-%m-%dT%H:%M:%SZ')}</published>"
            f"<summary>{escape(entry.summary)}</summary>"
            f'<link rel="alternate" href={quoteattr(entry.link)}/>'
            "</entry>"
            for entry in reversed(self.entries)
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<feed xmlns="http://www.w3.org/2005/Atom">'
            "<id>tag:blog.example,2026:sandbox</id><title>The Daily Sandbox</title>"
            f"<updated>{datetime.now(UTC).strftime('%Y-%m-%dT%H:%M:%SZ')}</updated>"
            f"{items}</feed>"
        ).encode()

    async def first_fetch(self, timeout: float) -> None:  # noqa: ASYNC109
        """Until the bot has read the feed once: what it finds the first time it records
        as there already, and posts only what appears after."""
        await asyncio.wait_for(self._fetched.wait(), timeout)
