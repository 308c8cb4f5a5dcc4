"""A feed entry's link: the article's own address, in the normal form links are compared in.

Feeds hand out addresses that are not the article's: FeedBurner's feedproxy.google.com
redirects (the original is in feedburner:origLink), tracking parameters (utm_*,
Medium's ?source=rss…), and an empty href that resolves to the feed itself.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import Any
from urllib.parse import unquote_plus, urljoin, urlsplit, urlunsplit


def web_url(candidate: str | None, base: str) -> str | None:
    """`candidate` made absolute against `base`, if it is an http(s) address with a host."""
    if not candidate or not candidate.strip():
        return None
    try:
        absolute = urljoin(base, candidate.strip())
        parts = urlsplit(absolute)
        host = parts.hostname
    except ValueError:  # a malformed address, such as "http://[oops/"
        return None
    return absolute if parts.scheme in {"http", "https"} and host else None


def entry_link(
    raw: Mapping[str, Any], feed_addresses: Collection[str], base: str, *, id_is_address: bool
) -> str | None:
    """The article's address for the feedparser entry `raw`, in normal form, or None.

    FeedBurner's original link first, then the alternate links, then (`id_is_address`:
    Atom and RSS 1.0) an id that is a web address (WordPress's ?p=123 redirects to the
    post). An address of the feed itself is no article's: an empty href resolves to it.
    """
    entry_id = str(raw.get("id") or "").strip()
    # Only an id that is a web address by itself: "4461" is no address relative to the feed.
    web_id = entry_id if entry_id.lower().startswith(("http://", "https://")) else None
    if not id_is_address:
        web_id = None
    for candidate in [raw.get("feedburner_origlink"), *_alternate_hrefs(raw), web_id]:
        url = web_url(candidate, base)
        if url is not None and url not in feed_addresses:
            return normal_link(url)
    return None


def link_before_entry_keys(raw: Mapping[str, Any], base: str) -> str | None:
    """The link as the bot read it before migration 0019 (the first alternate link as
    given): what its keys for entries without an id were made of."""
    return next(
        (url for url in (web_url(href, base) for href in _alternate_hrefs(raw)) if url), None
    )


def _alternate_hrefs(raw: Mapping[str, Any]) -> Iterable[str | None]:
    for link in raw.get("links") or ():
        if link.get("rel", "alternate") == "alternate":
            yield link.get("href")
    yield raw.get("link")


def normal_link(url: str) -> str:
    """`url` without its tracking parameters (utm_*, source=rss…), the rest untouched:
    links are posted, and compared with the links posted by hand, in this form."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    kept = [param for param in parts.query.split("&") if param and not _tracks(param)]
    return urlunsplit(parts._replace(query="&".join(kept)))


def _tracks(param: str) -> bool:
    name, _, value = param.partition("=")
    name = unquote_plus(name).lower()
    return name.startswith("utm_") or (
        name == "source" and unquote_plus(value).lower().startswith("rss")
    )
