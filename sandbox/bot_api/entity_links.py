"""What the real server makes of a link's URL in a formatted text: a mention of a user
(tg://user?id=...), a text link to the URL as it normalises it, or nothing."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit, urlunsplit

_BARE_DOMAIN = re.compile(r"^[\w-]+(\.[\w-]+)*\.[a-z]{2,}([/?#:].*)?$", re.IGNORECASE)


def normalize_link(url: str) -> str | None:
    """The URL a text link gets, or None when the server would silently drop the entity."""
    url = url.strip()
    if not url:
        return None
    if "://" not in url and ":" not in url.split("/", 1)[0]:
        if not _BARE_DOMAIN.match(url):
            return None
        url = "http://" + url
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme in {"http", "https"}:
        if not parts.hostname or " " in url:
            return None
        # The server answers https://example.com as https://example.com/.
        return urlunsplit((scheme, parts.netloc, parts.path or "/", parts.query, parts.fragment))
    if scheme in {"tg", "ton"} and len(url) > len(scheme) + 3:
        return url
    return None


def mentioned_user_id(url: str) -> int | None:
    parts = urlsplit(url)
    if parts.scheme.lower() != "tg" or parts.netloc.lower() != "user":
        return None
    ids = parse_qs(parts.query).get("id", [])
    if len(ids) == 1 and ids[0].isdigit():
        return int(ids[0])
    return None
