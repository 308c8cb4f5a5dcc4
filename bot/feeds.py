"""A blog's feed: fetching it over HTTP and reading its entries.

Nothing here knows Telegram or the database: `fetch` turns one conditional GET into a
`FetchResult` and `parse` turns the body into entries ready to become articles, so the
poller above only decides what is new. An entry's link, photo and words are chosen in
bot.feed_links, bot.feed_images and bot.feed_text.
"""

from __future__ import annotations

import asyncio
import calendar
import io
import re
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

import feedparser
import httpx

from bot import __version__, feed_images, feed_links
from bot.feed_text import HtmlText, shorten_on_word
from bot.text import shorten

USER_AGENT = f"NewsroomCommentsBot/{__version__} (feed reader for a news blog's Telegram channel)"
MAX_FEED_BYTES = 5 * 1024 * 1024
FETCH_TIMEOUT = 20.0
SUMMARY_LIMIT = 300
# The same as /post's title limit (bot.services.articles.TITLE_MAX_LENGTH), so a feed's
# article fits wherever a hand-made one does.
TITLE_LIMIT = 256
UNTITLED = "Untitled"

_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.8"
)
_REASON_LIMIT = 160


class FetchStatus(StrEnum):
    OK = "ok"
    NOT_MODIFIED = "not_modified"
    FAILED = "failed"


@dataclass(frozen=True)
class FetchResult:
    status: FetchStatus
    body: bytes = b""
    etag: str | None = None
    last_modified: str | None = None
    # Why it failed, one line, for the logs and /feeds.
    reason: str = ""


async def fetch(
    client: httpx.AsyncClient, url: str, etag: str | None, last_modified: str | None
) -> FetchResult:
    """GET the feed, conditionally on the validators of the last answer.

    Every HTTP or network failure comes back as FAILED with a reason: a feed that is down
    is a state to report, not an exception for the poller to catch.
    """
    headers = {"User-Agent": USER_AGENT, "Accept": _ACCEPT}
    # httpx refuses a header it cannot encode as ASCII; such a validator is dropped rather
    # than turning every later fetch of the feed into a failure.
    if etag and etag.isascii():
        headers["If-None-Match"] = etag
    if last_modified and last_modified.isascii():
        headers["If-Modified-Since"] = last_modified
    try:
        # httpx's timeout bounds each read, not the whole answer: a server trickling a
        # byte at a time would hold the poller forever without this overall deadline.
        async with asyncio.timeout(FETCH_TIMEOUT):
            return await _get(client, url, headers, etag, last_modified)
    except TimeoutError:
        return _failed(_timed_out())
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        return _failed(_failure_reason(exc))


async def _get(
    client: httpx.AsyncClient,
    url: str,
    headers: dict[str, str],
    etag: str | None,
    last_modified: str | None,
) -> FetchResult:
    async with client.stream(
        "GET", url, headers=headers, follow_redirects=True, timeout=FETCH_TIMEOUT
    ) as response:
        if response.status_code == httpx.codes.NOT_MODIFIED:
            # A 304 may carry fresher validators; otherwise the ones sent still hold.
            return FetchResult(
                FetchStatus.NOT_MODIFIED,
                etag=response.headers.get("etag", etag),
                last_modified=response.headers.get("last-modified", last_modified),
            )
        if not response.is_success:
            return _failed(f"HTTP {response.status_code}")
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_FEED_BYTES:
            return _failed(_too_large())
        chunks: list[bytes] = []
        received = 0
        # Counted after decompression, so a small gzip bomb is stopped too.
        async for chunk in response.aiter_bytes():
            received += len(chunk)
            if received > MAX_FEED_BYTES:
                return _failed(_too_large())
            chunks.append(chunk)
        return FetchResult(
            FetchStatus.OK,
            body=b"".join(chunks),
            etag=response.headers.get("etag"),
            last_modified=response.headers.get("last-modified"),
        )


def _failed(reason: str) -> FetchResult:
    return FetchResult(FetchStatus.FAILED, reason=reason)


def _too_large() -> str:
    mebibyte = 1024 * 1024
    if MAX_FEED_BYTES % mebibyte == 0:
        return f"larger than {MAX_FEED_BYTES // mebibyte} MB"
    return f"larger than {MAX_FEED_BYTES} bytes"


def _failure_reason(exc: Exception) -> str:
    """One short line saying why a fetch failed, from httpx's exception."""
    detail = _one_line(str(exc)) or type(exc).__name__
    if isinstance(exc, httpx.TimeoutException):
        return _timed_out()
    if isinstance(exc, httpx.ConnectError):
        return f"could not connect: {detail}"
    if isinstance(exc, httpx.TooManyRedirects):
        return "too many redirects"
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return f"not a web address: {detail}"
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"broken HTTP response: {detail}"
    if isinstance(exc, httpx.DecodingError):
        return f"undecodable response: {detail}"
    return f"{type(exc).__name__}: {detail}"


def _timed_out() -> str:
    return f"timed out after {FETCH_TIMEOUT:g} s"


def _one_line(text: str) -> str:
    return shorten(" ".join(text.split()), _REASON_LIMIT)


# ---------------------------------------------------------------------------- parsing


@dataclass(frozen=True)
class FeedEntry:
    # What makes an entry the same entry next time: the guid or Atom id; without one, the
    # link with the publication date and the title (NixOS news links every item to one page).
    key: str
    title: str
    link: str
    summary: str
    image_url: str | None
    # Epoch seconds, from the entry's published date, else its updated date.
    published: float | None
    # False when other entries of the feed have the same link: then the link does not
    # tell this article apart, and is not compared with the articles posted by hand.
    own_link: bool = True
    # The key the bot gave the entry before migration 0019, when it was another one
    # (bot.services.feeds moves a feed's old keys over once).
    legacy_key: str | None = None


@dataclass(frozen=True)
class ParsedFeed:
    # Empty when the feed has no title.
    title: str
    # Oldest first, the order in which new entries are posted.
    entries: tuple[FeedEntry, ...]


class FeedParseError(Exception):
    """The body is not a feed; the message is one short line for the logs and /feeds."""


# Reported by feedparser for nearly every feed handed over as bytes (no Content-Type) or
# decoded in another encoding than it declared; the entries are read all the same.
_HARMLESS_BOZO = (feedparser.NonXMLContentType, feedparser.CharacterEncodingOverride)
_HTML_PAGE = re.compile(rb"<!doctype\s+html|<html[\s>]", re.IGNORECASE)
# An HTML entity XML does not define (&nbsp;): the strict parser stops at the first one.
_NAMED_ENTITY = re.compile(rb"&[A-Za-z][A-Za-z0-9]*;")
# A title made of an untitled entry's words (a toot, a micropost) is this long at most.
TITLE_FROM_TEXT_LIMIT = 80


def parse(body: bytes, url: str) -> ParsedFeed:
    """Read an RSS 0.9x/1.0/2.0 or Atom feed; relative links resolve against `url`."""
    result = _feedparser(body, url)
    if not result.entries:
        _check_is_feed(result, body, url)
    feed_addresses = _feed_addresses(result.feed, url)
    version = str(result.get("version") or "")
    # RSS 0.9x and 2.0 mark a guid that is a link (feedparser then takes it as the link);
    # isPermaLink="false" says it is not one.
    id_is_address = not version.startswith("rss") or version in {"rss090", "rss10"}
    entries: dict[str, FeedEntry] = {}
    # Document order is newest first; a key listed twice keeps its first, newest, version.
    for raw in result.entries:
        entry = _entry(raw, url, feed_addresses, id_is_address)
        if entry is not None:
            entries.setdefault(entry.key, entry)
    links = Counter(entry.link for entry in entries.values())
    ordered = [replace(entry, own_link=links[entry.link] == 1) for entry in entries.values()]
    ordered.reverse()
    if all(entry.published is not None for entry in ordered):
        # sort is stable: entries of the same second keep the reversed document order.
        ordered.sort(key=lambda entry: entry.published or 0.0)
    return ParsedFeed(title=_plain_title(result.feed), entries=tuple(ordered))


def _feedparser(body: bytes, url: str) -> Any:
    # A file-like object: feedparser would take bare bytes for a path and try to open it.
    # Its sanitizer is off because the text is made plain here and escaped when rendered.
    return feedparser.parse(
        io.BytesIO(body), response_headers={"content-location": url}, sanitize_html=False
    )


def _check_is_feed(result: Any, body: bytes, url: str) -> None:
    """Raise unless an entry-less result is a real feed that has no entries yet."""
    problem = result.get("bozo_exception") if result.get("bozo") else None
    if result.get("version") and (
        problem is None or isinstance(problem, _HARMLESS_BOZO) or _only_entities(problem, body, url)
    ):
        return
    if not body.strip():
        raise FeedParseError("empty response, not a feed")
    if _HTML_PAGE.search(body[:2048]):
        raise FeedParseError("an HTML page, not a feed")
    if problem is not None and not isinstance(problem, _HARMLESS_BOZO):
        raise FeedParseError(f"not a valid feed: {_describe(problem)}")
    raise FeedParseError("no RSS, RDF or Atom feed in the response")


def _only_entities(problem: Exception, body: bytes, url: str) -> bool:
    """Whether an HTML entity (&nbsp;) is all that is wrong with the document.

    The strict parser stops at the first undefined entity and never sees the rest: the
    document is checked again without them, so that a feed cut off still fails.
    """
    if "undefined entity" not in str(problem):
        return False
    again = _feedparser(_NAMED_ENTITY.sub(b" ", body), url)
    return not again.get("bozo") or isinstance(again.get("bozo_exception"), _HARMLESS_BOZO)


def _describe(problem: Exception) -> str:
    get_message = getattr(problem, "getMessage", None)
    get_line = getattr(problem, "getLineNumber", None)
    if callable(get_message) and callable(get_line):
        # xml.sax's SAXParseException: its str() starts with "<unknown>:".
        return _one_line(f"{get_message()} (line {get_line()})")
    return _one_line(str(problem)) or type(problem).__name__


def _feed_addresses(feed: Mapping[str, Any], url: str) -> frozenset[str]:
    """The feed's own addresses: where it was fetched, its rel="self" links, and the base
    its links resolve against (an empty href resolves to it)."""
    addresses = {url}
    addresses.update(
        link.get("href") or "" for link in feed.get("links") or () if link.get("rel") == "self"
    )
    for detail in ("title_detail", "subtitle_detail"):
        addresses.add((feed.get(detail) or {}).get("base") or "")
    addresses.discard("")
    return frozenset(addresses)


def _entry(
    raw: Mapping[str, Any], url: str, feed_addresses: frozenset[str], id_is_address: bool
) -> FeedEntry | None:
    link = feed_links.entry_link(raw, feed_addresses, url, id_is_address=id_is_address)
    if link is None:
        return None
    bodies = [HtmlText.of(html) for html in _bodies_html(raw)]
    text = next((body.text for body in bodies if body.text), "")
    title = _plain_title(raw)
    summary = shorten_on_word(text, SUMMARY_LIMIT)
    key = _key(raw, link, title)
    if not title and text:
        # A toot or a micropost has no title: its first words are one, and a text that
        # fits whole is not repeated under it.
        title = shorten_on_word(text, TITLE_FROM_TEXT_LIMIT)
        summary = "" if title == text else summary
    legacy_key = _legacy_key(raw, url)
    return FeedEntry(
        key=key,
        title=title or UNTITLED,
        link=link,
        summary=summary,
        image_url=feed_images.image_url(raw, [i for body in bodies for i in body.images], link),
        published=_timestamp(raw),
        legacy_key=legacy_key if legacy_key != key else None,
    )


def _key(raw: Mapping[str, Any], link: str, title: str) -> str:
    entry_id = str(raw.get("id") or "").strip()
    if entry_id:
        return entry_id
    # The publication date, not the last update: an entry edited later stays the same one.
    published: time.struct_time | None = raw.get("published_parsed")
    date = time.strftime("%Y-%m-%dT%H:%M:%SZ", published) if published else ""
    return " ".join(part for part in (link, date, title) if part)


def _legacy_key(raw: Mapping[str, Any], url: str) -> str | None:
    return str(raw.get("id") or "").strip() or feed_links.link_before_entry_keys(raw, url)


def _bodies_html(raw: Mapping[str, Any]) -> list[str]:
    """The entry's HTML content, then its summary: the text comes from the first with any.

    A WordPress <description> is an excerpt with "[…]" (and often "The post … appeared
    first on …") appended; shortening the article's own text reads better. A photo
    post's content may be an image alone, and its summary the words.
    """
    contents = raw.get("content") or ()
    bodies = [
        _as_html(content.get("value") or "", content.get("type", ""))
        for content in contents
        if content.get("type") != "text/plain"
    ]
    detail = raw.get("summary_detail") or {}
    bodies.append(_as_html(raw.get("summary") or "", detail.get("type", "text/html")))
    # feedparser files a media:description (Mastodon's alt text of a toot's picture) as
    # plain-text content when the entry has a summary: the summary's words come first.
    bodies += [
        _as_html(content.get("value") or "", "text/plain")
        for content in contents
        if content.get("type") == "text/plain"
    ]
    # feedparser copies an Atom entry's lone <content> into its summary: read it once.
    return list(dict.fromkeys(body for body in bodies if body))


def _as_html(value: str, media_type: str) -> str:
    if media_type == "text/plain":
        # Plain text may still hold a double-escaped entity ("&amp;amp;"); escaping only
        # the angle brackets lets the HTML reader unescape it once without seeing tags.
        return value.replace("<", "&lt;").replace(">", "&gt;")
    return value


def _plain_title(detail_owner: Mapping[str, Any]) -> str:
    title = detail_owner.get("title") or ""
    media_type = (detail_owner.get("title_detail") or {}).get("type", "text/plain")
    text = HtmlText.of(_as_html(title, media_type)).text
    return shorten_on_word(text, TITLE_LIMIT)


def _timestamp(raw: Mapping[str, Any]) -> float | None:
    parsed: time.struct_time | None = raw.get("published_parsed") or raw.get("updated_parsed")
    # feedparser gives UTC: timegm, not mktime, which would read it as local time.
    return float(calendar.timegm(parsed)) if parsed else None
