"""A blog's feed: fetching it over HTTP and reading its entries.

Nothing here knows Telegram or the database: `fetch` turns one conditional GET into a
`FetchResult` and `parse` turns the body into entries ready to become articles, so the
poller above only decides what is new.
"""

from __future__ import annotations

import asyncio
import calendar
import io
import re
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser
import httpx

from bot import __version__
from bot.text import ELLIPSIS, shorten, tg_length

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
    # The guid or Atom id, else the link: what makes an entry the same entry next time.
    key: str
    title: str
    link: str
    summary: str
    image_url: str | None
    # Epoch seconds, from the entry's published date, else its updated date.
    published: float | None


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


def parse(body: bytes, url: str) -> ParsedFeed:
    """Read an RSS 0.9x/1.0/2.0 or Atom feed; relative links resolve against `url`."""
    # A file-like object: feedparser would take bare bytes for a path and try to open it.
    # Its sanitizer is off because the text is made plain here and escaped when rendered.
    result = feedparser.parse(
        io.BytesIO(body), response_headers={"content-location": url}, sanitize_html=False
    )
    if not result.entries:
        _check_is_feed(result, body)
    entries: list[FeedEntry] = []
    seen: set[str] = set()
    # Document order is newest first; a key listed twice keeps its first, newest, version.
    for raw in result.entries:
        entry = _entry(raw, url)
        if entry is not None and entry.key not in seen:
            seen.add(entry.key)
            entries.append(entry)
    entries.reverse()
    if all(entry.published is not None for entry in entries):
        # sort is stable: entries of the same second keep the reversed document order.
        entries.sort(key=lambda entry: entry.published or 0.0)
    return ParsedFeed(title=_plain_title(result.feed), entries=tuple(entries))


def _check_is_feed(result: Any, body: bytes) -> None:
    """Raise unless an entry-less result is a real feed that has no entries yet."""
    problem = result.get("bozo_exception") if result.get("bozo") else None
    if result.get("version") and (problem is None or isinstance(problem, _HARMLESS_BOZO)):
        return
    if not body.strip():
        raise FeedParseError("empty response, not a feed")
    if _HTML_PAGE.search(body[:2048]):
        raise FeedParseError("an HTML page, not a feed")
    if problem is not None and not isinstance(problem, _HARMLESS_BOZO):
        raise FeedParseError(f"not a valid feed: {_describe(problem)}")
    raise FeedParseError("no RSS, RDF or Atom feed in the response")


def _describe(problem: Exception) -> str:
    get_message = getattr(problem, "getMessage", None)
    get_line = getattr(problem, "getLineNumber", None)
    if callable(get_message) and callable(get_line):
        # xml.sax's SAXParseException: its str() starts with "<unknown>:".
        return _one_line(f"{get_message()} (line {get_line()})")
    return _one_line(str(problem)) or type(problem).__name__


def _entry(raw: Mapping[str, Any], url: str) -> FeedEntry | None:
    link = _alternate_link(raw, url)
    if link is None:
        return None
    key = (raw.get("id") or "").strip() or link
    bodies = [_HtmlText.of(html) for html in _bodies_html(raw)]
    text = next((body.text for body in bodies if body.text), "")
    return FeedEntry(
        key=key,
        title=_plain_title(raw) or UNTITLED,
        link=link,
        summary=shorten_on_word(text, SUMMARY_LIMIT),
        image_url=_image_url(raw, [src for body in bodies for src in body.image_sources], link),
        published=_timestamp(raw),
    )


def _alternate_link(raw: Mapping[str, Any], url: str) -> str | None:
    candidates = [
        link.get("href")
        for link in raw.get("links") or ()
        if link.get("rel", "alternate") == "alternate"
    ]
    candidates.append(raw.get("link"))
    return _first_web_url(candidates, url)


def _bodies_html(raw: Mapping[str, Any]) -> list[str]:
    """The entry's content, then its summary: the text comes from the first with any.

    A WordPress <description> is an excerpt with "[…]" (and often "The post … appeared
    first on …") appended; shortening the article's own text reads better. A photo
    post's content may be an image alone, and its summary the words.
    """
    bodies = [
        _as_html(content.get("value") or "", content.get("type", ""))
        for content in raw.get("content") or ()
    ]
    detail = raw.get("summary_detail") or {}
    bodies.append(_as_html(raw.get("summary") or "", detail.get("type", "text/html")))
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
    text = _HtmlText.of(_as_html(title, media_type)).text
    return shorten_on_word(text, TITLE_LIMIT)


def _image_url(raw: Mapping[str, Any], content_images: list[str], base: str) -> str | None:
    candidates: list[str | None] = [thumb.get("url") for thumb in raw.get("media_thumbnail") or ()]
    candidates += [
        media.get("url")
        for media in raw.get("media_content") or ()
        if media.get("medium") == "image" or _is_image_type(media.get("type"))
    ]
    candidates += [
        enclosure.get("href")
        for enclosure in raw.get("enclosures") or ()
        if _is_image_type(enclosure.get("type"))
    ]
    candidates += content_images
    found = _first_web_url(candidates, base)
    return _full_size(found) if found else None


# Blogger's media:thumbnail is a 72-pixel crop ("…/s72-w640-h360-c/photo.jpg", or "=s72-c"
# on googleusercontent.com): the same image at full size is one path segment away.
_BLOGGER_THUMBNAIL = re.compile(r"(/|=)s72(?:-[a-z0-9-]*)?-c(?=/|$)")


def _full_size(url: str) -> str:
    return _BLOGGER_THUMBNAIL.sub(r"\1s1600", url, count=1)


def _is_image_type(media_type: str | None) -> bool:
    return bool(media_type) and str(media_type).lower().startswith("image/")


def _first_web_url(candidates: Iterable[str | None], base: str) -> str | None:
    for candidate in candidates:
        if not candidate or not candidate.strip():
            continue
        try:
            absolute = urljoin(base, candidate.strip())
            parts = urlsplit(absolute)
            host = parts.hostname
        except ValueError:  # a malformed address, such as "http://[oops/"
            continue
        if parts.scheme in {"http", "https"} and host:
            return absolute
    return None


def _timestamp(raw: Mapping[str, Any]) -> float | None:
    parsed: time.struct_time | None = raw.get("published_parsed") or raw.get("updated_parsed")
    # feedparser gives UTC: timegm, not mktime, which would read it as local time.
    return float(calendar.timegm(parsed)) if parsed else None


def shorten_on_word(text: str, limit: int) -> str:
    """`text` within `limit` UTF-16 units, cut after a whole word and ended with "…"."""
    if tg_length(text) <= limit:
        return text
    kept = shorten(text, limit).removesuffix(ELLIPSIS)
    if not text[len(kept)].isspace():
        word_start = max(kept.rfind(" "), 0)
        # One word longer than the limit is cut inside it: there is no boundary to keep.
        if word_start > 0:
            kept = kept[:word_start]
    return kept.rstrip(" ,;:-–—") + ELLIPSIS


class _HtmlText(HTMLParser):
    """The readable text of an HTML fragment and the sources of its images."""

    # Their text is no part of what a reader sees: code, styles, and captions of images
    # that the post shows as its photo, if at all.
    _HIDDEN = frozenset({"script", "style", "template", "noscript", "figcaption"})
    # Elements that separate words: "<p>a</p><p>b</p>" reads "a b", not "ab".
    # fmt: off
    _BREAKING = frozenset({
        "p", "div", "br", "hr", "blockquote", "pre", "figure", "address",
        "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "dl", "dt", "dd",
        "table", "tr", "td", "th", "article", "section", "header", "footer", "main",
        "nav", "aside",
    })
    # fmt: on

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._parts: list[str] = []
        self._hidden_depth = 0
        self.image_sources: list[str] = []

    @classmethod
    def of(cls, html: str) -> _HtmlText:
        reader = cls()
        reader.feed(html)
        reader.close()
        return reader

    @property
    def text(self) -> str:
        return " ".join("".join(self._parts).split())

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._HIDDEN:
            self._hidden_depth += 1
        elif tag == "img":
            # Even inside <noscript>: lazy-loading plugins put the real image there.
            self._add_image(dict(attrs))
        if tag in self._BREAKING:
            self._parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._HIDDEN and self._hidden_depth:
            self._hidden_depth -= 1
        if tag in self._BREAKING:
            self._parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._hidden_depth:
            self._parts.append(data)

    def _add_image(self, attrs: dict[str, str | None]) -> None:
        src = attrs.get("src")
        # A 1×1 image is a tracking pixel (WordPress.com and FeedBurner append one).
        if src and attrs.get("width") not in {"0", "1"} and attrs.get("height") not in {"0", "1"}:
            self.image_sources.append(src)
