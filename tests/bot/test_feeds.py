"""bot.feeds: fetching a feed from a local HTTP server, and parsing real feeds' shapes."""

from __future__ import annotations

import asyncio
import calendar
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from aiohttp import web

from bot import __version__, feeds
from bot.feed_text import shorten_on_word
from bot.feeds import FeedParseError, FetchStatus
from bot.services.articles import TITLE_MAX_LENGTH
from bot.text import tg_length

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "feeds"
FEED_URL = "https://blog.example/feed/"
ETAG = '"5e1-acero-v1"'
LAST_MODIFIED = "Sat, 15 Mar 2025 00:42:10 GMT"
# Generous next to the patched fetch timeouts: a fetch that ignores them fails the test
# instead of hanging it.
TEST_DEADLINE = 5.0


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def utc(year: int, month: int, day: int, hour: int, minute: int, second: int = 0) -> float:
    return float(calendar.timegm((year, month, day, hour, minute, second, 0, 0, 0)))


def rss(items: str, *, encoding: str = "utf-8") -> bytes:
    return (
        f'<?xml version="1.0" encoding="{encoding}"?>\n'
        '<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"'
        ' xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        "<channel><title>Frontera al día</title><link>https://blog.example/</link>"
        f"<description>México y EE. UU.</description>{items}</channel></rss>"
    ).encode(encoding)


def item(number: int, extra: str = "", *, pub_date: str | None = None) -> str:
    date = f"<pubDate>{pub_date}</pubDate>" if pub_date else ""
    return (
        f"<item><title>Nota {number}</title><link>https://blog.example/nota-{number}</link>"
        f'<guid isPermaLink="false">https://blog.example/?p={number}</guid>{date}{extra}</item>'
    )


# ------------------------------------------------------------------------- the fixtures


def test_blogger_atom_entries_oldest_first_with_ids_links_and_dates() -> None:
    """Blogger's tag: ids are the keys, rel='alternate' the links, and the oldest comes first."""
    parsed = feeds.parse(fixture("blogger_atom.xml"), "https://cronica-frontera.blogspot.com/")

    assert parsed.title == "Crónica de la Frontera"
    post = "tag:blogger.com,1999:blog-5551234567890123456.post-"
    assert [entry.key for entry in parsed.entries] == [
        post + "6634567890123456789",
        post + "7723456789012345678",
        post + "8812345678901234567",
    ]
    assert [entry.title for entry in parsed.entries] == [
        "The border at night: a ride along the Río Bravo",
        "Año y medio después: la niñez migrante en Ciudad Juárez",
        "Aranceles al acero: lo que cambia para Nuevo León",
    ]
    assert [entry.link for entry in parsed.entries] == [
        "https://cronica-frontera.blogspot.com/2025/03/border-at-night.html",
        "https://cronica-frontera.blogspot.com/2025/03/ninez-migrante-juarez.html",
        "https://cronica-frontera.blogspot.com/2025/03/aranceles-al-acero.html",
    ]
    # <published>, not <updated>, and -06:00 read as such.
    assert [entry.published for entry in parsed.entries] == [
        utc(2025, 3, 3, 2, 5),
        utc(2025, 3, 10, 15, 15),
        utc(2025, 3, 15, 0, 30),
    ]


def test_blogger_summaries_are_plain_text_without_scripts_or_styles() -> None:
    """Tags go, &nbsp; and &quot; are unescaped, and script and style contents are dropped."""
    entries = feeds.parse(fixture("blogger_atom.xml"), FEED_URL).entries

    assert entries[1].summary == (
        "En los albergues de Ciudad Juárez, niñas y niños esperan una cita de asilo que no"
        " llega. Reportaje: Lucía Peña."
    )
    assert entries[2].summary == (
        "Washington anunció nuevos aranceles al acero y al aluminio. En Monterrey, las plantas"
        " que exportan a Texas ya calculan el costo: 25 % sobre cada tonelada. La Secretaría"
        ' de Economía dijo que responderá "con proporción".'
    )


def test_a_long_summary_is_shortened_on_a_word_boundary() -> None:
    """The Blogger dispatch runs past 300 characters: it ends after a whole word, with "…"."""
    summary = feeds.parse(fixture("blogger_atom.xml"), FEED_URL).entries[0].summary

    assert summary == (
        "From the levee in El Paso you can see the lights of Juárez, a city of one and a half"
        " million people that most Americans only know from headlines. We spent a night with"
        " the Border Patrol and with the volunteers who leave water in the desert, and both"
        " told us the same thing: the numbers in Washington…"
    )
    assert tg_length(summary) <= feeds.SUMMARY_LIMIT


def test_blogger_content_image_comes_before_its_thumbnail() -> None:
    """The newest post has both a media:thumbnail (a 72-pixel crop) and a 640-pixel <img>:
    the post's own image wins."""
    entries = feeds.parse(fixture("blogger_atom.xml"), FEED_URL).entries

    assert entries[2].image_url == (
        "https://blogger.googleusercontent.com/img/b/R29vZ2xl/AVvXsEh-acero/"
        "w640-h360/planta-acero-monterrey.jpg"
    )
    assert entries[0].image_url is None
    assert entries[1].image_url is None


def test_wordpress_rss2_guids_entities_and_content_encoded() -> None:
    """guid isPermaLink=false keys; &amp; and &#8217; unescaped; the text of content:encoded."""
    parsed = feeds.parse(fixture("wordpress_rss2.xml"), FEED_URL)

    assert parsed.title == "Norte y Sur – Notas desde la frontera"
    assert [entry.key for entry in parsed.entries] == [
        "https://blog.example/?p=123",
        "https://blog.example/?p=124",
        "https://blog.example/?p=125",
    ]
    assert [entry.link for entry in parsed.entries] == [
        "https://blog.example/2025/02/28/tratado-aguas-1944/",
        "https://blog.example/2025/03/07/t-mec-revision/",
        "https://blog.example/2025/03/13/remittances-peso-record/",
    ]
    newest = parsed.entries[-1]
    assert newest.title == "Remittances & the peso: Mexico’s record year"
    # The article's own text (not the "[…]" excerpt), without the photo's caption.
    assert newest.summary == (
        "Mexicans working in the United States sent home more money than ever last year – and"
        " the strong peso ate part of it. Banco de México’s figures & what families told us."
    )
    assert (
        newest.image_url == "https://blog.example/wp-content/uploads/2025/03/remesas-1024x576.jpg"
    )
    assert newest.published == utc(2025, 3, 13, 22, 10, 4)
    # Blank lines between WordPress's blocks collapse to one space.
    assert parsed.entries[1].summary == (
        "La revisión del tratado comercial empieza en 2026, pero las tres capitales ya negocian"
        " en público. México quiere certeza para la inversión; Washington, reglas de origen más"
        " estrictas para los autos."
    )
    assert parsed.entries[0].image_url is None


def test_rdf_items_keyed_by_their_about_and_dated_by_dc_date() -> None:
    """RSS 1.0: rdf:about keys, dc:date, and a double-escaped &amp;amp; read as "&"."""
    parsed = feeds.parse(fixture("rdf.xml"), "https://frontera.example.org/index.rdf")

    assert parsed.title == "Frontera Digital"
    assert [(entry.key, entry.title, entry.published) for entry in parsed.entries] == [
        (
            "https://frontera.example.org/2025/03/05/ninos-del-bravo.html",
            "Los niños del Bravo",
            utc(2025, 3, 5, 14, 30),
        ),
        (
            "https://frontera.example.org/2025/03/12/puentes-tijuana.html",
            "Puentes y garitas: tres horas para cruzar en Tijuana",
            utc(2025, 3, 12, 16, 0),
        ),
    ]
    assert parsed.entries[0].summary == "Una escuela en Matamoros enseña en español y en inglés."
    assert parsed.entries[1].summary == "Las filas en San Ysidro & Otay crecen cada mañana."


def test_garbage_is_a_parse_error_of_one_line() -> None:
    """Not XML at all: FeedParseError, with a message fit for one log line."""
    with pytest.raises(FeedParseError, match="not a valid feed") as raised:
        feeds.parse(fixture("garbage.xml"), FEED_URL)
    assert "\n" not in str(raised.value)
    assert len(str(raised.value)) <= 200


def test_an_html_page_is_a_parse_error_naming_it() -> None:
    """The blog's home page served at the feed's address says so."""
    with pytest.raises(FeedParseError, match="HTML page"):
        feeds.parse(fixture("html_page.html"), FEED_URL)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "empty"),
        (b'<?xml version="1.0"?><nota><para>Ana</para></nota>', "no RSS, RDF or Atom feed"),
        (rss("")[:-30], "not a valid feed"),
    ],
    ids=["empty", "other-xml", "rss-cut-off-before-any-item"],
)
def test_documents_that_are_not_feeds_are_parse_errors(body: bytes, message: str) -> None:
    """No entries and not a feed: an empty body, some other XML, a feed cut off early."""
    with pytest.raises(FeedParseError, match=message):
        feeds.parse(body, FEED_URL)


def test_a_feed_without_entries_yet_is_not_an_error() -> None:
    """A new blog's feed has a channel and no items: no entries, no error."""
    parsed = feeds.parse(rss(""), FEED_URL)

    assert parsed.title == "Frontera al día"
    assert parsed.entries == ()


def test_a_feed_decoded_against_its_declared_encoding_still_parses() -> None:
    """Latin-1 bytes declared as UTF-8 (feedparser's CharacterEncodingOverride) still read."""
    latin1 = rss(item(1).replace("Nota 1", "Año nuevo"), encoding="latin-1")
    mislabelled = latin1.replace(b'encoding="latin-1"', b'encoding="utf-8"')

    parsed = feeds.parse(mislabelled, FEED_URL)

    assert [entry.title for entry in parsed.entries] == ["Año nuevo"]


def test_a_feed_with_an_undefined_entity_still_parses() -> None:
    """&nbsp; is not XML: the strict parser gives up, the entries are read all the same."""
    parsed = feeds.parse(rss(item(1).replace("Nota 1", "Nota&nbsp;uno")), FEED_URL)

    assert [entry.title for entry in parsed.entries] == ["Nota uno"]


# ------------------------------------------------------------------- entries and order


def test_entries_without_a_link_or_without_anything_are_skipped() -> None:
    """No link: skipped even with a guid; a link but no guid: the link and the title are
    the key."""
    body = rss(
        '<item><title>Sin enlace</title><guid isPermaLink="false">p-9</guid></item>'
        "<item><title>Nada</title></item>"
        "<item><title>Solo enlace</title><link> https://blog.example/solo </link></item>"
        "<item><title>Relativo</title><link>/2025/relativo</link></item>"
        "<item><title>FTP</title><link>ftp://blog.example/archivo</link></item>"
    )

    entries = feeds.parse(body, FEED_URL).entries

    assert [(entry.key, entry.link) for entry in entries] == [
        ("https://blog.example/2025/relativo Relativo", "https://blog.example/2025/relativo"),
        ("https://blog.example/solo Solo enlace", "https://blog.example/solo"),
    ]


def test_entries_are_sorted_by_date_when_every_one_has_one() -> None:
    """A feed that lists its items out of order is still posted oldest first."""
    body = rss(
        item(2, pub_date="Tue, 04 Mar 2025 10:00:00 +0000")
        + item(3, pub_date="Wed, 05 Mar 2025 10:00:00 +0000")
        + item(1, pub_date="Mon, 03 Mar 2025 10:00:00 +0000")
    )

    titles = [entry.title for entry in feeds.parse(body, FEED_URL).entries]

    assert titles == ["Nota 1", "Nota 2", "Nota 3"]


def test_without_every_date_the_document_order_is_reversed() -> None:
    """One undated item: the feed's own newest-first order, reversed."""
    body = rss(
        item(2, pub_date="Tue, 04 Mar 2025 10:00:00 +0000")
        + item(3)
        + item(1, pub_date="Mon, 03 Mar 2025 10:00:00 +0000")
    )

    titles = [entry.title for entry in feeds.parse(body, FEED_URL).entries]

    assert titles == ["Nota 1", "Nota 3", "Nota 2"]


def test_an_entry_listed_twice_appears_once_in_its_newest_version() -> None:
    """One guid listed twice is one entry: the first listed, since feeds list newest first."""
    body = rss(item(1).replace("Nota 1", "Nota 1 (actualizada)") + item(1))

    entries = feeds.parse(body, FEED_URL).entries

    assert [entry.title for entry in entries] == ["Nota 1 (actualizada)"]


def test_titles_are_plain_and_untitled_when_missing() -> None:
    """An Atom type='html' title loses its tags; no title at all reads "Untitled"."""
    body = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom</title><id>urn:feed</id>
<entry><id>urn:1</id><title type="html">&lt;b&gt;M\xc3\xa9xico&lt;/b&gt;   y
  EE.&amp;nbsp;UU.</title><link rel="alternate" href="https://blog.example/1"/>
<updated>2025-03-01T00:00:00Z</updated></entry>
<entry><id>urn:2</id><link rel="alternate" href="https://blog.example/2"/>
<updated>2025-03-02T00:00:00Z</updated></entry></feed>"""

    titles = [entry.title for entry in feeds.parse(body, FEED_URL).entries]

    assert titles == ["México y EE. UU.", "Untitled"]


@pytest.mark.parametrize(
    ("xml_title", "expected"),
    [
        ("Lo que dice el &lt;T-MEC&gt; &amp;amp; más", "Lo que dice el <T-MEC> & más"),
        ("AT&amp;T y Telmex: 3 &lt; 5", "AT&T y Telmex: 3 < 5"),
    ],
)
def test_a_plain_text_title_keeps_its_angle_brackets(xml_title: str, expected: str) -> None:
    """A plain title is not HTML: "<T-MEC>" stays, a double-escaped "&amp;" is read once."""
    entry = feeds.parse(rss(item(1).replace("Nota 1", xml_title)), FEED_URL).entries[0]

    assert entry.title == expected


def test_a_long_title_is_shortened_to_what_post_accepts() -> None:
    """A feed's title is held to /post's own limit, on a word boundary."""
    long_title = "Relaciones México–Estados Unidos " * 20

    title = feeds.parse(rss(item(1).replace("Nota 1", long_title)), FEED_URL).entries[0].title

    assert feeds.TITLE_LIMIT == TITLE_MAX_LENGTH
    assert tg_length(title) <= TITLE_MAX_LENGTH
    assert title.endswith("…")
    assert long_title.startswith(title.removesuffix("…") + " ")


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("uno dos tres", 12, "uno dos tres"),
        ("uno dos tres", 9, "uno dos…"),
        ("uno dostres", 9, "uno…"),
        ("uno, dos tres", 7, "uno…"),
        ("abcdefghijkl", 5, "abcd…"),
        ("México 🇲🇽 y más", 12, "México 🇲🇽…"),
        ("México 🇲🇽 y más", 11, "México…"),
        ("2024 年 12 月 11 日，美国海关公布了最新的边境数据", 20, "2024 年 12 月 11 日，美国…"),
        ("รอคอยการนัดหมาย", 10, "รอคอยการ…"),
    ],
)
def test_shorten_on_word(text: str, limit: int, expected: str) -> None:
    """Within the limit as Telegram counts (a flag is four units), after a whole word;
    Chinese and Thai after any character, but not between a letter and its vowel mark."""
    shortened = shorten_on_word(text, limit)

    assert shortened == expected
    assert tg_length(shortened) <= limit


# ---------------------------------------------------------------------------- images

PORTADA = "https://cdn.example/portada.jpg"
THUMBNAIL = '<media:thumbnail url="https://cdn.example/miniatura.jpg" width="72" height="72"/>'
MEDIA_IMAGE = (
    '<media:content url="https://cdn.example/video.mp4" medium="video" type="video/mp4"/>'
    '<media:content url="https://cdn.example/foto.jpg" medium="image"/>'
)
MEDIA_TYPED = '<media:content url="https://cdn.example/grafica.png" type="image/png"/>'
ENCLOSURE = (
    '<enclosure url="https://cdn.example/podcast.mp3" type="audio/mpeg" length="1000"/>'
    f'<enclosure url="{PORTADA}" type="image/jpeg" length="1000"/>'
)
CONTENT_IMAGE = (
    "<content:encoded><![CDATA[<p>Texto</p>"
    '<img src="/wp-content/uploads/muro.jpg" alt="El muro"/>]]></content:encoded>'
)


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (THUMBNAIL + MEDIA_IMAGE + ENCLOSURE + CONTENT_IMAGE, "https://cdn.example/foto.jpg"),
        (MEDIA_TYPED + ENCLOSURE + CONTENT_IMAGE, "https://cdn.example/grafica.png"),
        (THUMBNAIL + ENCLOSURE + CONTENT_IMAGE, PORTADA),
        (THUMBNAIL + CONTENT_IMAGE, "https://blog.example/wp-content/uploads/muro.jpg"),
        (THUMBNAIL, "https://cdn.example/miniatura.jpg"),
        ('<media:content url="https://cdn.example/video.mp4" medium="video"/>', None),
        ('<enclosure url="https://cdn.example/p.mp3" type="audio/mpeg" length="1"/>', None),
        ('<media:thumbnail url="http://[frontera/roto.jpg"/>' + ENCLOSURE, PORTADA),
        ("", None),
    ],
    ids=[
        "media-content-image-medium",
        "media-content-image-type",
        "image-enclosure",
        "content-img-made-absolute",
        "thumbnail-last",
        "video-is-no-image",
        "audio-is-no-image",
        "malformed-address-passed-over",
        "none",
    ],
)
def test_image_sources_in_order(extra: str, expected: str | None) -> None:
    """media:content, then an image enclosure, then the first <img> of the content, then
    media:thumbnail (a thumbnail is the small copy of a picture)."""
    entry = feeds.parse(rss(item(1, extra)), FEED_URL).entries[0]

    assert entry.image_url == expected


def test_content_images_that_cannot_be_posted_are_passed_over() -> None:
    """data: and javascript: sources and 1×1 tracking pixels are not the entry's image."""
    content = (
        "<content:encoded><![CDATA["
        '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" alt=""/>'
        "<img src=\"javascript:alert('x')\"/>"
        '<img src="https://pixel.wp.com/b.gif?host=blog.example" width="1" height="1"/>'
        '<noscript><img src="https://cdn.example/frontera.webp"/></noscript>'
        "<p>Texto</p>]]></content:encoded>"
    )

    entry = feeds.parse(rss(item(1, content)), FEED_URL).entries[0]

    assert entry.image_url == "https://cdn.example/frontera.webp"
    assert entry.summary == "Texto"


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        (
            "<p>uno</p>dos<br>tres<div>cuatro</div><ul><li>cinco</li></ul>seis",
            "uno dos tres cuatro cinco seis",
        ),
        (
            "<p><b>Méx</b>ico y <a href='https://x.example/'>EE.</a>&#160;UU.</p>",
            "México y EE. UU.",
        ),
        (
            "<p>Antes</p><style>p { color: red }</style><script>alert(1)</script>Después",
            "Antes Después",
        ),
    ],
    ids=["blocks-separate-words", "inline-tags-do-not", "script-and-style-dropped"],
)
def test_summary_text_reads_as_the_page_would(html: str, expected: str) -> None:
    """Block elements part words, inline ones do not; scripts and styles say nothing."""
    description = f"<description><![CDATA[{html}]]></description>"

    assert feeds.parse(rss(item(1, description)), FEED_URL).entries[0].summary == expected


def test_a_photo_post_takes_its_words_from_the_summary() -> None:
    """Content that is an image alone: the image is the entry's, the summary its text."""
    body = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Fotos</title><id>urn:fotos</id>
<entry><id>urn:foto-1</id><title>Garita de San Ysidro</title>
<link rel="alternate" href="https://fotos.example/2025/garita"/>
<summary type="html">&lt;p&gt;La fila, a las &lt;b&gt;6:00&lt;/b&gt;.&lt;/p&gt;</summary>
<content type="html">&lt;img src="https://fotos.example/garita.jpg"/&gt;</content>
</entry></feed>"""

    entry = feeds.parse(body, "https://fotos.example/feeds/atom").entries[0]

    assert entry.summary == "La fila, a las 6:00."
    assert entry.image_url == "https://fotos.example/garita.jpg"


def test_a_tracking_pixel_alone_is_no_image() -> None:
    """Only FeedBurner's pixel in the content: no image at all."""
    content = (
        "<description><![CDATA[<p>Texto</p>"
        '<img src="https://feeds.feedburner.com/~r/frontera/~4/abc" height="1" width="1"/>'
        "]]></description>"
    )

    assert feeds.parse(rss(item(1, content)), FEED_URL).entries[0].image_url is None


# ----------------------------------------------------------------------------- fetching


class FeedServer:
    """A blog on 127.0.0.1: the Blogger fixture with validators, and ways of failing."""

    def __init__(self) -> None:
        self.body = fixture("blogger_atom.xml")
        self.requests: list[web.Request] = []
        self.base_url = ""
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/feed", self._feed)
        app.router.add_get("/moved", self._moved)
        app.router.add_get("/bare-304", self._bare_not_modified)
        app.router.add_get("/gone", self._gone)
        app.router.add_get("/broken", self._broken)
        app.router.add_get("/huge-declared", self._huge_declared)
        app.router.add_get("/huge-chunked", self._huge_chunked)
        app.router.add_get("/slow", self._slow)
        app.router.add_get("/trickle", self._trickle)
        # handler_cancellation ends the slow handlers when the client gives up; a short
        # shutdown_timeout keeps stop() fast.
        self._runner = web.AppRunner(
            app, access_log=None, handler_cancellation=True, shutdown_timeout=0.5
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.base_url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def url(self, path: str) -> str:
        return self.base_url + path

    async def _feed(self, request: web.Request) -> web.StreamResponse:
        self.requests.append(request)
        validators = {"ETag": ETAG, "Last-Modified": LAST_MODIFIED}
        if_none_match = request.headers.get("If-None-Match")
        unchanged = (
            if_none_match == ETAG
            if if_none_match is not None
            else request.headers.get("If-Modified-Since") == LAST_MODIFIED
        )
        if unchanged:
            return web.Response(status=304, headers=validators)
        return web.Response(body=self.body, content_type="application/atom+xml", headers=validators)

    async def _moved(self, request: web.Request) -> web.StreamResponse:
        raise web.HTTPMovedPermanently("/feed")

    async def _bare_not_modified(self, request: web.Request) -> web.StreamResponse:
        return web.Response(status=304)

    async def _gone(self, request: web.Request) -> web.StreamResponse:
        return web.Response(status=404, text="Not Found")

    async def _broken(self, request: web.Request) -> web.StreamResponse:
        return web.Response(status=500, text="Internal Server Error")

    async def _huge_declared(self, request: web.Request) -> web.StreamResponse:
        """Announces more than the cap, then stalls: only the header can stop the fetch."""
        response = web.StreamResponse()
        response.content_length = feeds.MAX_FEED_BYTES + 1
        await response.prepare(request)
        await response.write(b"<?xml version='1.0'?>")
        await asyncio.sleep(60)
        return response

    async def _huge_chunked(self, request: web.Request) -> web.StreamResponse:
        """No length announced: the cap must be counted while reading."""
        response = web.StreamResponse()
        response.enable_chunked_encoding()
        await response.prepare(request)
        chunk = b"x" * 4096
        for _ in range(feeds.MAX_FEED_BYTES // len(chunk) + 2):
            await response.write(chunk)
        await response.write_eof()
        return response

    async def _slow(self, request: web.Request) -> web.StreamResponse:
        await asyncio.sleep(60)
        return web.Response(body=self.body)

    async def _trickle(self, request: web.Request) -> web.StreamResponse:
        """A byte every 50 ms: no single read times out, the whole answer never ends."""
        response = web.StreamResponse()
        response.enable_chunked_encoding()
        await response.prepare(request)
        for _ in range(1200):
            await response.write(b" ")
            await asyncio.sleep(0.05)
        return response


@pytest.fixture
async def server() -> AsyncIterator[FeedServer]:
    feed_server = FeedServer()
    await feed_server.start()
    yield feed_server
    await feed_server.stop()


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    # trust_env=False: a proxy configured in the environment must not see 127.0.0.1.
    async with httpx.AsyncClient(trust_env=False) as http_client:
        yield http_client


async def fetch(
    client: httpx.AsyncClient, url: str, etag: str | None = None, last_modified: str | None = None
) -> feeds.FetchResult:
    return await asyncio.wait_for(feeds.fetch(client, url, etag, last_modified), TEST_DEADLINE)


async def test_first_fetch_returns_the_body_and_its_validators(
    server: FeedServer, client: httpx.AsyncClient
) -> None:
    """An unconditional GET: the feed's bytes, its ETag and Last-Modified, our User-Agent."""
    result = await fetch(client, server.url("/feed"))

    assert result == feeds.FetchResult(
        FetchStatus.OK, body=server.body, etag=ETAG, last_modified=LAST_MODIFIED
    )
    request = server.requests[0]
    assert request.headers["User-Agent"] == feeds.USER_AGENT
    assert feeds.USER_AGENT.startswith(f"NewsroomCommentsBot/{__version__} (")
    assert "If-None-Match" not in request.headers
    assert "If-Modified-Since" not in request.headers


async def test_a_conditional_fetch_of_an_unchanged_feed_is_not_modified(
    server: FeedServer, client: httpx.AsyncClient
) -> None:
    """The validators of the first answer come back; the server's 304 is NOT_MODIFIED."""
    first = await fetch(client, server.url("/feed"))

    second = await fetch(client, server.url("/feed"), first.etag, first.last_modified)

    assert second == feeds.FetchResult(
        FetchStatus.NOT_MODIFIED, etag=ETAG, last_modified=LAST_MODIFIED
    )
    assert server.requests[1].headers["If-None-Match"] == ETAG
    assert server.requests[1].headers["If-Modified-Since"] == LAST_MODIFIED


async def test_last_modified_alone_makes_the_fetch_conditional(
    server: FeedServer, client: httpx.AsyncClient
) -> None:
    """A server that gave no ETag is asked If-Modified-Since."""
    result = await fetch(client, server.url("/feed"), None, LAST_MODIFIED)

    assert result.status is FetchStatus.NOT_MODIFIED


async def test_a_bare_304_keeps_the_validators_sent(
    server: FeedServer, client: httpx.AsyncClient
) -> None:
    """A 304 without validators of its own: the ones we sent still hold."""
    result = await fetch(client, server.url("/bare-304"), '"v7"', LAST_MODIFIED)

    assert result == feeds.FetchResult(
        FetchStatus.NOT_MODIFIED, etag='"v7"', last_modified=LAST_MODIFIED
    )


async def test_a_redirect_is_followed(server: FeedServer, client: httpx.AsyncClient) -> None:
    """A feed that moved (http→https, a new path) is fetched from where it went."""
    result = await fetch(client, server.url("/moved"))

    assert result.status is FetchStatus.OK
    assert result.body == server.body


@pytest.mark.parametrize(("path", "reason"), [("/gone", "HTTP 404"), ("/broken", "HTTP 500")])
async def test_an_http_error_fails_with_its_status(
    server: FeedServer, client: httpx.AsyncClient, path: str, reason: str
) -> None:
    """404 and 500 are failures named by their status, never exceptions."""
    result = await fetch(client, server.url(path))

    assert result == feeds.FetchResult(FetchStatus.FAILED, reason=reason)


async def test_a_body_announced_over_the_cap_fails_at_once(
    server: FeedServer, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Content-Length over 5 MB ends the fetch before any waiting for the body."""
    monkeypatch.setattr(feeds, "FETCH_TIMEOUT", 2.0)

    result = await fetch(client, server.url("/huge-declared"))

    assert result == feeds.FetchResult(FetchStatus.FAILED, reason="larger than 5 MB")


async def test_a_body_growing_over_the_cap_fails(
    server: FeedServer, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without a Content-Length the bytes are counted as they arrive."""
    monkeypatch.setattr(feeds, "MAX_FEED_BYTES", 64 * 1024)

    result = await fetch(client, server.url("/huge-chunked"))

    assert result == feeds.FetchResult(FetchStatus.FAILED, reason="larger than 65536 bytes")


@pytest.mark.parametrize("path", ["/slow", "/trickle"])
async def test_a_slow_server_times_out(
    server: FeedServer, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, path: str
) -> None:
    """No answer, or one that never ends, fails after FETCH_TIMEOUT as a timeout."""
    monkeypatch.setattr(feeds, "FETCH_TIMEOUT", 0.2)
    loop = asyncio.get_running_loop()
    started = loop.time()

    result = await fetch(client, server.url(path))

    assert result == feeds.FetchResult(FetchStatus.FAILED, reason="timed out after 0.2 s")
    assert loop.time() - started < 2.0


async def test_a_refused_connection_fails_with_a_reason(client: httpx.AsyncClient) -> None:
    """Nobody listening on the port: a failure that says it could not connect."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    result = await fetch(client, f"http://127.0.0.1:{port}/feed")

    assert result.status is FetchStatus.FAILED
    assert result.reason.startswith("could not connect")
    assert "\n" not in result.reason


@pytest.mark.parametrize("url", ["ftp://blog.example/feed", "blog.example/feed"])
async def test_an_address_that_is_not_http_fails_with_a_reason(
    client: httpx.AsyncClient, url: str
) -> None:
    """A misconfigured FEED_URLS entry is reported, not raised."""
    result = await fetch(client, url)

    assert result.status is FetchStatus.FAILED
    assert result.reason.startswith("not a web address")


@pytest.mark.parametrize(
    ("thumbnail", "full_size"),
    [
        (
            "https://blogger.googleusercontent.com/img/b/R29v/AVvX/s72-w640-h360-c/mx.jpg",
            "https://blogger.googleusercontent.com/img/b/R29v/AVvX/s1600/mx.jpg",
        ),
        (
            "https://blogger.googleusercontent.com/img/a/AVvXsEh=s72-c",
            "https://blogger.googleusercontent.com/img/a/AVvXsEh=s1600",
        ),
        ("https://example.com/s72-photos/a.jpg", "https://example.com/s72-photos/a.jpg"),
    ],
)
def test_blogger_thumbnails_are_posted_at_full_size(thumbnail: str, full_size: str) -> None:
    """Blogger's media:thumbnail is a 72-pixel crop; the post takes the full image."""
    body = f"""<?xml version="1.0"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/">
  <title>T</title>
  <entry><id>tag:1</id><title>A</title><link rel="alternate" href="https://b.example/a"/>
    <media:thumbnail url="{thumbnail}" height="72" width="72"/></entry>
</feed>""".encode()
    [entry] = feeds.parse(body, "https://b.example/feeds/posts/default").entries
    assert entry.image_url == full_size
