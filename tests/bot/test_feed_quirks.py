"""bot.feeds against real feeds' quirks: each fixture is built like the feed that showed
the defect (their shapes are those of feeds kept as test data by feedparser, NetNewsWire,
rss-parser, feedjira and rss2email)."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from bot import feeds
from bot.feeds import FeedEntry
from bot.text import tg_length

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "feeds"


def parse(name: str, url: str = "https://blog.example/feed/") -> tuple[FeedEntry, ...]:
    return feeds.parse((FIXTURES / name).read_bytes(), url).entries


def newest_first(name: str, url: str = "https://blog.example/feed/") -> list[FeedEntry]:
    return list(reversed(parse(name, url)))


# ---------------------------------------------------------------------------- images


def test_wordpress_com_author_avatar_and_emoji_are_not_the_photo() -> None:
    """WordPress.com lists the author's gravatar first in media:content, and draws emoji
    as images: the post's own picture is the photo, the emoji stay in the words."""
    bridge, forum = newest_first("wordpress_com_rss2.xml")

    assert bridge.image_url == (
        "https://bitacoradelbravo.wordpress.com/wp-content/uploads/2025/03/puente.jpg"
    )
    assert bridge.summary == "Cada día lo cruzan quince mil personas a pie 🚶"
    assert forum.image_url is None
    assert forum.summary == "Agua, puentes y seguridad: tres temas y ningún acuerdo 🤷"


def test_feedburner_share_buttons_ad_pixels_and_avatars_are_not_the_photo() -> None:
    """A FeedBurner feed appends ads, its share buttons (feedflare) and a pixel to every
    post: a post without a picture of its own has no photo."""
    tomato, water = newest_first("feedburner_rss2.xml")

    assert tomato.image_url == (
        "https://diariofrontera.example/wp-content/uploads/2025/03/tomate-nogales.jpg?w=150"
    )
    assert water.image_url is None


def test_slashdot_share_icons_are_not_the_photo() -> None:
    """Slashdot's description ends with Twitter and Facebook icons."""
    [story] = parse("slashdot_rss1.rdf", "https://rss.slashdot.org/Slashdot/slashdotMain")

    assert story.image_url is None
    assert story.summary.startswith("An anonymous reader shares a report: Commuters between")


@pytest.mark.parametrize(
    "source",
    [
        "https://blog.example/img/mapa.svg",
        "https://i.imgur.com/Ab12Cd3.gifv",
        "https://blog.example/wp-content/themes/diario/images/icons/share-whatsapp.png",
        "https://secure.gravatar.com/avatar/0a1b2c3d?s=96",
    ],
    ids=["svg", "gifv", "icons-folder", "gravatar"],
)
def test_pictures_telegram_cannot_show_or_that_are_not_the_article_are_passed_over(
    source: str,
) -> None:
    """SVG and imgur's .gifv (a web page) cannot be a photo; icons and avatars are not
    the article's picture: the post's photo after them is taken."""
    photo = b'<figure class="wp-block-image size-large"><img'
    body = (
        (FIXTURES / "wordpress_rss2.xml")
        .read_bytes()
        .replace(photo, b'<img src="' + source.encode() + b'" alt=""/>' + photo, 1)
    )

    newest = feeds.parse(body, "https://blog.example/feed/").entries[-1]

    assert (
        newest.image_url == "https://blog.example/wp-content/uploads/2025/03/remesas-1024x576.jpg"
    )


@pytest.mark.parametrize(
    ("pictures", "expected"),
    [
        (
            '<img src="https://ads.example/468-60.gif" width="468" height="60"/>'
            '<img src="https://blog.example/teaser.jpeg" width="100" height="55"/>',
            "https://blog.example/teaser.jpeg",
        ),
        ('<img src="https://blog.example/logo.jpg" width="142" height="36"/>', None),
    ],
    ids=["banner-then-teaser", "logo-strip"],
)
def test_banners_and_strips_are_not_photos_but_a_small_teaser_is(
    pictures: str, expected: str | None
) -> None:
    """heise.de floats a 100×55 teaser into its summaries: a picture; a 468×60 ad banner or
    a 36-pixel-high logo is not."""
    body = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><item>'
        b"<title>A</title><link>https://blog.example/a</link><description><![CDATA["
        + pictures.encode()
        + b"<p>Texto</p>]]></description></item></channel></rss>"
    )

    assert feeds.parse(body, "https://blog.example/feed/").entries[0].image_url == expected


def test_blogger_prefers_the_large_picture_of_the_post_to_its_thumbnail() -> None:
    """Blogger's media:thumbnail is a 72-pixel crop, and on some blogs the author's
    signature: a large image in the post wins, and a thumbnail that is only the
    signature (shown 40 pixels wide in the post) is no photo."""
    otay, sentri = newest_first(
        "blogger_feedburner_atom.xml", "http://feeds.feedburner.com/GaritasAlDia"
    )

    assert otay.image_url == (
        "https://2.bp.blogspot.com/-ZSpYiLN8VOU/WRCII1KSWmI/AAAAAAAAARk/"
        "uVk7QKXqHqQmbTIhgCeaJ4Z0q8-OeVQWQCLcB/s640/fila-otay.png"
    )
    assert sentri.image_url is None


def test_guardian_media_content_without_medium_is_read_and_the_largest_taken() -> None:
    """The Guardian's media:content has neither medium nor type, and comes in two widths
    (either first): the 460-pixel one is the photo."""
    water, shelters = newest_first("guardian_rss2.xml", "https://www.theguardian.com/rss")

    assert shelters.image_url is not None and "width=460" in shelters.image_url
    assert water.image_url is not None and "width=460" in water.image_url


# ---------------------------------------------------------------------------- titles


def test_mastodon_posts_without_a_title_take_the_first_words_of_their_text() -> None:
    """A toot has no title: its first words are the title (not its picture's alt text,
    which feedparser files as content); a short toot is all title."""
    long_toot, short_toot = newest_first(
        "mastodon_rss2.xml", "https://mastodon.social/@cronica.rss"
    )

    assert long_toot.title == (
        "Tres horas de fila esta mañana en San Ysidro: la garita abrió solo seis de sus…"
    )
    assert long_toot.summary.startswith("Tres horas de fila esta mañana en San Ysidro: la garita")
    assert long_toot.image_url is not None and long_toot.image_url.endswith("8c0f4a7d2e6b1935.jpg")
    assert (short_toot.title, short_toot.summary) == ("Hoy no hay fila en Otay. Ninguna.", "")


def test_micro_blog_posts_without_a_title_take_their_text() -> None:
    """micro.blog: a micropost has no title, a long post has one."""
    micropost, post = newest_first("microblog_rss2.xml", "https://anaibarra.micro.blog/feed.xml")

    assert micropost.title == (
        "Terminé la entrevista con la directora del albergue en Reynosa. Sale el lunes…"
    )
    assert post.title == "Lo que aprendí en un año de cubrir la frontera"


# ------------------------------------------------------------------------ keys and links


def test_nixos_news_items_that_share_one_link_are_distinct_entries() -> None:
    """NixOS news: no guid, and every item links the news page: four items, four keys,
    even the two of the same day."""
    entries = parse("nixos_news_rss2.xml", "https://nixos.org/news-rss.xml")

    assert [entry.title for entry in entries] == [
        "NixOS 24.05 released",
        "NixCon 2024 in Berlin",
        "Nix 2.25 released",
        "NixOS 24.11 released",
    ]
    assert len({entry.key for entry in entries}) == 4
    assert {entry.link for entry in entries} == {"https://nixos.org/news.html"}


def test_an_empty_alternate_link_is_not_the_feed_address() -> None:
    """WordPress's Atom feed gives link posts href="": that resolves to the feed itself
    (its xml:base), which is no article; the entry's id is its address."""
    muro, remesas, semana = newest_first(
        "wordpress_atom_empty_links.xml", "https://notasdelbravo.example/feed/atom/"
    )

    assert muro.link == "https://notasdelbravo.example/?p=14848"
    assert remesas.link == "https://notasdelbravo.example/?p=14846"
    assert semana.link == "https://notasdelbravo.example/2025/03/10/semana-piedras-negras/"


def test_an_rss_guid_that_is_not_a_permalink_is_not_a_link() -> None:
    """isPermaLink="false" says the guid is no address: an item with nothing else has no
    link and is skipped, as before (an Atom id is another matter)."""
    body = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><item>'
        b'<title>A</title><guid isPermaLink="false">https://blog.example/?p=7</guid>'
        b"</item></channel></rss>"
    )

    assert feeds.parse(body, "https://blog.example/feed/").entries == ()


def test_feedburner_links_are_the_original_ones_without_tracking() -> None:
    """feedproxy.google.com links redirect through FeedBurner: feedburner:origLink is the
    article's address, and FeedBurner's utm_* parameters are dropped."""
    tomato, water = newest_first("feedburner_rss2.xml")
    otay, sentri = newest_first("blogger_feedburner_atom.xml")

    assert tomato.link == "https://diariofrontera.example/2025/03/14/aduana-nogales-tomate/"
    assert water.link == "https://diariofrontera.example/2025/03/13/agua-conchos/"
    assert otay.link == "http://garitasaldia.blogspot.com/2025/03/fila-otay-lunes.html"
    assert sentri.link == "http://garitasaldia.blogspot.com/2025/03/carril-sentri-otay.html"


@pytest.mark.parametrize(
    ("name", "link"),
    [
        (
            "medium_rss2.xml",
            "https://medium.com/@lucia.pena/what-the-border-wait-times-dont-tell-you-3f2a1b0c9d8e",
        ),
        (
            "slashdot_rss1.rdf",
            "https://tech.slashdot.org/story/25/03/14/2035211/"
            "border-crossing-wait-times-now-predicted-by-a-model",
        ),
    ],
    ids=["medium-source-rss", "slashdot-utm"],
)
def test_tracking_parameters_are_dropped_from_links(name: str, link: str) -> None:
    """Medium's ?source=rss… and Slashdot's utm_source=rss1.0…: the article's own link."""
    assert parse(name)[-1].link == link


# ---------------------------------------------------------------------------- summaries


@pytest.mark.parametrize(
    "name",
    ["hexo_chinese_atom.xml", "note_japanese_rss2.xml", "wordpress_thai_rss2.xml"],
    ids=["chinese", "japanese", "thai"],
)
def test_text_without_spaces_between_words_is_cut_at_a_character(name: str) -> None:
    """Chinese, Japanese and Thai do not part words with spaces: the summary is cut near
    its limit, not back at the last space (an English name or a number early on)."""
    [entry] = parse(name)

    summary = entry.summary.removesuffix("…")
    assert entry.summary.endswith("…")
    assert tg_length(entry.summary) <= feeds.SUMMARY_LIMIT
    assert tg_length(summary) >= feeds.SUMMARY_LIMIT - 3
    assert not unicodedata.category(summary[-1]).startswith("M")


def test_thai_is_not_cut_between_a_letter_and_its_vowel_mark() -> None:
    """The 300th character of the Thai text is a vowel mark: the cut goes before its letter."""
    [entry] = parse("wordpress_thai_rss2.xml")
    text = entry.summary.removesuffix("…")

    assert tg_length(text) == feeds.SUMMARY_LIMIT - 2
    assert unicodedata.category(text[-1]) == "Lo"


# ---------------------------------------------------------------------------- new feeds


def test_a_new_feed_without_items_and_with_an_html_entity_is_a_feed() -> None:
    """A hand-written feed uses &nbsp; and has no items yet: a feed with no entries, not an
    error the admins hear about."""
    parsed = feeds.parse((FIXTURES / "new_blog_rss2.xml").read_bytes(), "https://x.example/rss")

    assert parsed.title == "El Heraldo de Nogales"
    assert parsed.entries == ()


def test_a_feed_cut_off_after_an_html_entity_is_still_an_error() -> None:
    """&nbsp; is forgiven, a document cut off is not."""
    body = (FIXTURES / "new_blog_rss2.xml").read_bytes()[:-40]

    with pytest.raises(feeds.FeedParseError, match="not a valid feed"):
        feeds.parse(body, "https://x.example/rss")
