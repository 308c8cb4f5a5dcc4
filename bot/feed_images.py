"""Which of a feed entry's pictures becomes the article's photo, if any.

Feeds carry more pictures than the article's own: the author's avatar (WordPress.com
lists its gravatar first in media:content), share buttons and ad pixels (FeedBurner),
icons (Slashdot's Twitter icon), emoji drawn as images, and Blogger's media:thumbnail,
a 72-pixel crop that is sometimes only the author's signature. None of those is posted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from bot.feed_links import web_url
from bot.feed_text import HtmlImage

# A picture shown narrower or lower than this (by its width or height attribute) is an
# icon, a signature or a pixel; one this many times wider than high is a banner (an ad,
# a logo). Neither is the article's photo; a small teaser picture is.
ICON_SIDE = 50
BANNER_RATIO = 5

# Hosts that serve no article's picture: avatars, FeedBurner's buttons and pixels, ad
# and statistics pixels, Blogger's own icons.
_JUNK_HOSTS = (
    "gravatar.com",
    "feeds.feedburner.com",
    "feedproxy.google.com",
    "doubleclick.net",
    "pixel.wp.com",
    "stats.wordpress.com",
    "feeds.wordpress.com",
    "feedsportal.com",
    "pheedo.com",
    "pixel.quantserve.com",
    "rfihub.com",
    "blogblog.com",
)
# Folders of avatars, icons and emoji (WordPress's s.w.org/images/core/emoji/…).
_JUNK_FOLDERS = frozenset(
    {"avatar", "avatars", "icon", "icons", "emoji", "emojis", "twemoji", "smilies", "smileys"}
)
# Words of a file name that say what it is: Slashdot's twitter_icon_large.png.
_JUNK_NAME_WORDS = frozenset({"icon", "favicon", "spacer"})
# Telegram shows no SVG as a photo; imgur's .gifv is a web page.
_NOT_PHOTO_SUFFIXES = (".svg", ".svgz", ".gifv", ".ico")
# media:content without medium or type (The Guardian) is a picture unless its address
# says it is a sound, a video or a document.
_NOT_IMAGE_SUFFIXES = (
    ".mp3", ".m4a", ".ogg", ".oga", ".opus", ".wav", ".flac",
    ".mp4", ".m4v", ".mov", ".webm", ".ogv", ".pdf", ".zip", ".swf",
)  # fmt: skip


@dataclass(frozen=True)
class _Picture:
    url: str
    width: int | None = None
    height: int | None = None

    @property
    def decoration(self) -> bool:
        """An icon, a pixel or a banner, by the size the HTML gives it."""
        if any(side is not None and side < ICON_SIDE for side in (self.width, self.height)):
            return True
        if self.width is None or self.height is None:
            return False
        return max(self.width, self.height) >= BANNER_RATIO * min(self.width, self.height)

    @property
    def longest_side(self) -> int:
        return max(self.width or 0, self.height or 0)


def image_url(raw: Mapping[str, Any], content_images: Sequence[HtmlImage], base: str) -> str | None:
    """The photo of the entry `raw` (a feedparser entry), or None.

    In order: the largest picture in media:content, an image enclosure, the first <img>
    of the content, the largest media:thumbnail (a thumbnail is the small copy of a
    picture the content usually holds whole); never a decoration or junk.
    """
    content = _pictures(((image.src, image.width, image.height) for image in content_images), base)
    media = _pictures(
        (
            (media.get("url"), media.get("width"), media.get("height"))
            for media in raw.get("media_content") or ()
            if _is_image_media(media)
        ),
        base,
    )
    enclosures = _pictures(
        (
            (enclosure.get("href"), None, None)
            for enclosure in raw.get("enclosures") or ()
            if _is_image_type(enclosure.get("type"))
        ),
        base,
    )
    found = (
        _largest(picture for picture in media if _is_photo(picture))
        or next((picture for picture in enclosures if _is_photo(picture)), None)
        or next((picture for picture in content if _is_photo(picture)), None)
        or _best_thumbnail(raw, content, base)
    )
    return found.url if found else None


def _best_thumbnail(raw: Mapping[str, Any], content: list[_Picture], base: str) -> _Picture | None:
    thumbnails = _pictures(
        (
            (thumbnail.get("url"), thumbnail.get("width"), thumbnail.get("height"))
            for thumbnail in raw.get("media_thumbnail") or ()
        ),
        base,
    )
    # Blogger crops its thumbnail from a picture of the post; when the post shows that
    # picture only as an icon, it is the author's signature, not the article's photo.
    decorations = {_same_picture(picture.url) for picture in content if picture.decoration}
    best = _largest(
        thumbnail
        for thumbnail in thumbnails
        if not _is_junk(thumbnail.url) and _same_picture(thumbnail.url) not in decorations
    )
    return _Picture(_full_size(best.url)) if best else None


def _pictures(
    candidates: Iterable[tuple[str | None, str | None, str | None]], base: str
) -> list[_Picture]:
    pictures = []
    for url, width, height in candidates:
        absolute = web_url(url, base)
        if absolute is not None:
            pictures.append(_Picture(absolute, _pixels(width), _pixels(height)))
    return pictures


def _pixels(value: str | None) -> int | None:
    match = re.fullmatch(r"\s*(\d{1,6})(?:px)?\s*", value or "")
    return int(match.group(1)) if match else None


def _largest(pictures: Iterable[_Picture]) -> _Picture | None:
    # max keeps the first of equals: pictures of unknown size stay in document order.
    return max(pictures, key=lambda picture: picture.longest_side, default=None)


def _is_photo(picture: _Picture) -> bool:
    return not picture.decoration and not _is_junk(picture.url)


def _is_junk(url: str) -> bool:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if any(host == junk or host.endswith("." + junk) for junk in _JUNK_HOSTS):
        return True
    *folders, name = parts.path.lower().split("/")
    if name.endswith(_NOT_PHOTO_SUFFIXES) or _JUNK_FOLDERS.intersection(folders):
        return True
    return bool(_JUNK_NAME_WORDS.intersection(re.split(r"[^a-z0-9]+", name)))


def _is_image_media(media: Mapping[str, Any]) -> bool:
    medium, media_type = media.get("medium"), media.get("type")
    if medium or media_type:
        return medium == "image" or _is_image_type(media_type)
    path = urlsplit(str(media.get("url") or "")).path.lower()
    return not path.endswith(_NOT_IMAGE_SUFFIXES)


def _is_image_type(media_type: str | None) -> bool:
    return bool(media_type) and str(media_type).lower().startswith("image/")


# Blogger's pictures come in sizes named by one path segment ("…/s72-c/photo.jpg",
# "…/w640-h360/photo.jpg") or a suffix ("…=s72-c" on googleusercontent.com).
_BLOGGER_HOSTS = ("googleusercontent.com", "blogspot.com")
_BLOGGER_SIZE = re.compile(r"(/|=)[swh]\d+(?:-[a-z0-9-]*)?(?=/[^/]*$|$)")
# The thumbnail is a 72-pixel crop: the same picture at full size is one segment away.
_BLOGGER_THUMBNAIL = re.compile(r"(/|=)s72(?:-[a-z0-9-]*)?-c(?=/|$)")


def _full_size(url: str) -> str:
    return _BLOGGER_THUMBNAIL.sub(r"\1s1600", url, count=1)


def _same_picture(url: str) -> str:
    """The address of a Blogger picture whatever its size; other addresses as they are."""
    host = (urlsplit(url).hostname or "").lower()
    if not any(host == blogger or host.endswith("." + blogger) for blogger in _BLOGGER_HOSTS):
        return url
    return _BLOGGER_SIZE.sub(r"\1", url, count=1)
