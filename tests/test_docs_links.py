"""Every relative link in README.md and docs/*.md leads somewhere: the file exists, and an
anchor names a heading of that page as GitHub spells it (github-slugger: lower case,
punctuation and emoji dropped, spaces to hyphens, a repeated heading gets -1, -2...)."""

import re
import unicodedata
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

FENCE = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)
CODE_SPAN = re.compile(r"`[^`\n]*`")
# [text](target) and ![alt](target); the text may wrap onto the next line.
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")
HEADING = re.compile(r"^#{1,6} +(.+?) *#*$", re.MULTILINE)
INLINE_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")


def pages(root: Path) -> list[Path]:
    return [root / "README.md", *sorted((root / "docs").glob("*.md"))]


def without_code(text: str) -> str:
    return CODE_SPAN.sub("", FENCE.sub("", text))


def slug(heading: str) -> str:
    text = INLINE_LINK.sub(r"\1", heading).lower()
    kept = "".join(c for c in text if c in " -_" or unicodedata.category(c)[0] in "LNM")
    return kept.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    found: set[str] = set()
    seen: dict[str, int] = {}
    for heading in HEADING.findall(FENCE.sub("", page.read_text())):
        base = slug(heading)
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return found


def relative_links(page: Path) -> list[str]:
    return [
        target
        for target in LINK.findall(without_code(page.read_text()))
        if not re.match(r"[a-z][a-z0-9+.-]*:", target)
    ]


def broken_links(root: Path) -> tuple[int, list[str]]:
    """How many relative links were checked, and each one that leads nowhere."""
    checked, broken = 0, []
    for page in pages(root):
        for target in relative_links(page):
            checked += 1
            path, _, anchor = target.partition("#")
            destination = (page.parent / path).resolve() if path else page
            where = f"{page.relative_to(root)}: ({target})"
            if not destination.is_relative_to(root):
                broken.append(f"{where} leaves the repository")
            elif not destination.exists():
                broken.append(f"{where} names no file")
            elif anchor and anchor not in anchors(destination):
                broken.append(f"{where} names no heading of {destination.relative_to(root)}")
    return checked, broken


def test_every_relative_link_in_the_readme_and_docs_resolves() -> None:
    checked, broken = broken_links(REPO)
    assert broken == []
    assert checked >= 40  # the front page and the docs' navigation lines were read


def test_a_missing_file_or_heading_is_reported(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "README.md").write_text(
        "# Front\n\n[setup](docs/setup.md#the-bot) [gone](docs/gone.md)\n"
        "[no such part](docs/setup.md#nowhere) `[in code](docs/x.md)`\n"
    )
    (tmp_path / "docs" / "setup.md").write_text(
        "# Set up\n\n## The bot\n\n[back](../README.md#front) [self](#set-up) [up](#the-bot-1)\n"
    )
    checked, broken = broken_links(tmp_path)
    assert checked == 6
    assert broken == [
        "README.md: (docs/gone.md) names no file",
        "README.md: (docs/setup.md#nowhere) names no heading of docs/setup.md",
        "docs/setup.md: (#the-bot-1) names no heading of docs/setup.md",
    ]


def test_headings_are_spelled_as_github_spells_their_anchors() -> None:
    assert slug("Running it 24/7") == "running-it-247"
    assert slug("Readers' own data (`/privacy`, `/mydata`)") == "readers-own-data-privacy-mydata"
    assert slug("Commenting under a post (`THREAD_MODERATION`)") == (
        "commenting-under-a-post-thread_moderation"
    )
    assert slug("🧹 Spam, [the list](x.md)") == "-spam-the-list"
