"""The catalogs: every message translated, placeholders and markup kept, compiled files
up to date with the .po files and the .pot with the code."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages import mofile, pofile

from bot.i18n import LOCALES, SUPPORTED, Texts, language_of
from bot.rendering import channel as channel_texts
from bot.rendering import common as common_texts
from bot.rendering import readers as reader_texts
from sandbox.bot_api.html_parser import parse_html

ROOT = Path(__file__).resolve().parents[2]
TRANSLATED = [language for language in SUPPORTED if language != "en"]
# What must survive translation: {placeholders}, %-formats, HTML tags, commands.
_KEPT = re.compile(r"\{[a-z_]*\}|%[sd]|</?[a-z]+[^>]*>|/[a-z]+\b")


@pytest.mark.parametrize(
    ("code", "expected"),
    [("es", "es"), ("es-MX", "es"), ("es-419", "es"), ("ES_es", "es"), ("fr", "en"), (None, "en")],
)
def test_telegram_language_codes_choose_the_language(code: str | None, expected: str) -> None:
    assert language_of(code, "en") == expected
    assert language_of("de", "es") == "es"


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_is_translated_with_its_placeholders_and_markup(language: str) -> None:
    with (LOCALES / language / "LC_MESSAGES" / "bot.po").open("rb") as source:
        catalog = pofile.read_po(source)
    messages = [message for message in catalog if message.id]
    assert messages
    for message in messages:
        given = message.id
        ids = [str(part) for part in (given if isinstance(given, tuple) else [given])]
        raw = message.string
        strings = [str(part) for part in (raw if isinstance(raw, tuple | list) else [raw])]
        # A plural message needs every form the language has ("1 segundo", "30 segundos").
        expected_forms = catalog.num_plurals if isinstance(given, tuple) else 1
        assert len(strings) == expected_forms, f"wrong number of forms: {ids[0]!r}"
        assert all(strings), f"not translated: {ids[0]!r}"
        for translated in strings:
            assert sorted(_KEPT.findall(ids[0])) == sorted(_KEPT.findall(translated)), ids[0]
            parse_html(translated)
            # A stray brace would fail only when the text is sent.
            names = re.findall(r"\{([a-z_]*)\}", ids[0])
            translated.format(**dict.fromkeys(names, "x"))


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_compiled_catalog_is_the_po_file(language: str) -> None:
    folder = LOCALES / language / "LC_MESSAGES"
    with (folder / "bot.po").open("rb") as source:
        written = {_key(m.id): _key(m.string) for m in pofile.read_po(source) if m.id}
    with (folder / "bot.mo").open("rb") as source:
        compiled = {_key(m.id): _key(m.string) for m in mofile.read_mo(source) if m.id}
    assert compiled == written, "run scripts/i18n compile"


def _key(value: object) -> object:
    """A plural message's forms come as a list or a tuple depending on the reader."""
    return tuple(value) if isinstance(value, list | tuple) else value


@pytest.mark.parametrize("language", TRANSLATED)
def test_each_catalog_holds_exactly_the_templates_messages(language: str) -> None:
    with (LOCALES / "bot.pot").open("rb") as template:
        wanted = {_key(m.id) for m in pofile.read_po(template) if m.id}
    with (LOCALES / language / "LC_MESSAGES" / "bot.po").open("rb") as source:
        held = {_key(m.id) for m in pofile.read_po(source) if m.id}
    assert held == wanted, "run scripts/i18n"


def test_every_text_of_the_code_is_one_babel_finds() -> None:
    """Babel does not read inside f-strings: a gettext call there would stay English
    whatever the catalogs say."""
    for path in [*ROOT.glob("bot/**/*.py"), *ROOT.glob("handlers/**/*.py")]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        hidden = [
            call.lineno
            for fstring in ast.walk(tree)
            if isinstance(fstring, ast.JoinedStr)
            for call in ast.walk(fstring)
            if isinstance(call, ast.Call)
            and isinstance(call.func, ast.Attribute)
            and call.func.attr in {"gettext", "ngettext"}
        ]
        assert hidden == [], f"{path}, lines {hidden}: a gettext call inside an f-string"


def test_the_template_holds_every_message_of_the_code(tmp_path: Path) -> None:
    extracted = tmp_path / "bot.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "-q",
            "extract",
            "-F",
            "babel.cfg",
            "-o",
            str(extracted),
            ".",
        ],
        cwd=ROOT,
        check=True,
    )
    with extracted.open("rb") as fresh, (LOCALES / "bot.pot").open("rb") as committed:
        fresh_ids = {m.id for m in pofile.read_po(fresh) if m.id}
        committed_ids = {m.id for m in pofile.read_po(committed) if m.id}
    assert fresh_ids == committed_ids, "run scripts/i18n"


def test_spanish_texts_come_from_the_catalog() -> None:
    assert Texts("es").gettext("🌐 From now on I write to you in English.") == (
        "🌐 A partir de ahora te escribo en español."
    )
    assert Texts("en").gettext("🌐 From now on I write to you in English.").endswith("English.")


def test_plurals_follow_each_languages_rules() -> None:
    assert "1 segundo " in reader_texts.wait_before_sending(Texts("es"), 1.0, 0.0)
    assert "30 segundos " in reader_texts.wait_before_sending(Texts("es"), 30.0, 0.0)
    assert "1 second " in reader_texts.wait_before_sending(Texts("en"), 1.0, 0.0)
    assert "3 minutes " in reader_texts.wait_before_sending(Texts("en"), 150.0, 0.0)


def test_the_public_words_in_a_thread_and_the_last_resort_answers_are_translated() -> None:
    spanish = Texts("es")
    notice = channel_texts.thread_notice(spanish, "Ana <b>", 42, held=True)
    assert "tu comentario espera a un moderador" in notice
    assert "Ana &lt;b&gt;" in notice
    parse_html(notice)
    assert "Los moderadores retiraron" in channel_texts.thread_post_removed(spanish)
    assert common_texts.something_went_wrong(spanish).startswith("Lo sentimos")
    assert common_texts.stale_button(spanish) == "Este botón ya no es válido."
