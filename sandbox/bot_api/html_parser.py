"""Bot API HTML parse mode, as strict as the real server (tdlib's parse_html).

The real parser walks the UTF-8 text once, keeps a stack of open tags and reports the
first problem with a byte offset; its messages are reproduced here because bots and
their tests match on them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .entity_links import mentioned_user_id, normalize_link

_ALLOWED_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "tg-spoiler",
        "tg-emoji",
        "span",
        "pre",
        "code",
        "blockquote",
    }
)
_ENTITY_TYPE_BY_TAG = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
}
# tdlib's is_space(): the terminating NUL counts as a space, which is how its loops stop.
_SPACES = frozenset(" \t\r\n\v\0")
_NAMED_CHARACTER_REFERENCES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_MAX_CODE_POINT = 0x10FFFF

UserLookup = Callable[[int], dict[str, Any] | None]


class EntityParseError(ValueError):
    """Text the real server refuses with `Bad Request: can't parse entities: <message>`."""


@dataclass
class _OpenTag:
    tag: str
    entity_kind: str
    argument: str
    utf16_offset: int
    text_offset: int
    begin_byte: int


def utf16_length(text: str) -> int:
    """Entity offsets and lengths are counted in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def parse_html(
    source: str, lookup_user: UserLookup | None = None
) -> tuple[str, list[dict[str, Any]]]:
    """Returns the plain text and its MessageEntity list, or raises EntityParseError."""
    parser = _HtmlParser(source, lookup_user)
    return parser.parse()


def strip_formatted_text(
    text: str, entities: list[dict[str, Any]]
) -> tuple[str, list[dict[str, Any]]]:
    """Drops leading and trailing whitespace as the server does, keeping entities aligned."""
    stripped_start = text[: len(text) - len(text.lstrip())]
    result = text.strip()
    shift = utf16_length(stripped_start)
    total = utf16_length(result)
    kept = []
    for entity in entities:
        start = max(entity["offset"] - shift, 0)
        end = min(entity["offset"] + entity["length"] - shift, total)
        if end > start:
            kept.append({**entity, "offset": start, "length": end - start})
    return result, kept


class _HtmlParser:
    def __init__(self, source: str, lookup_user: UserLookup | None) -> None:
        self._text = source
        self._lookup_user = lookup_user
        self._pos = 0
        self._out: list[str] = []
        self._utf16 = 0
        self._entities: list[dict[str, Any]] = []
        self._open: list[_OpenTag] = []

    def parse(self) -> tuple[str, list[dict[str, Any]]]:
        text = self._text
        while self._pos < len(text):
            char = text[self._pos]
            if char == "&":
                decoded = self._decode_character_reference(self._pos)
                if decoded is not None:
                    self._emit(decoded[0])
                    self._pos = decoded[1]
                    continue
            if char != "<":
                self._emit(char)
                self._pos += 1
                continue
            if self._at(self._pos + 1) == "/":
                self._close_tag()
            else:
                self._open_tag()
        if self._open:
            raise EntityParseError(
                f'Can\'t find end tag corresponding to start tag "{self._open[-1].tag}"'
            )
        for entity in self._entities:
            entity.pop("_language", None)
        # Entities are created as tags close, inner first; the server lists outer ones first.
        ordered = sorted(
            enumerate(self._entities),
            key=lambda item: (item[1]["offset"], -item[1]["length"], -item[0]),
        )
        return "".join(self._out), [entity for _, entity in ordered]

    def _at(self, pos: int) -> str:
        return self._text[pos] if pos < len(self._text) else "\0"

    def _byte_offset(self, pos: int) -> int:
        return len(self._text[:pos].encode("utf-8"))

    def _emit(self, char: str) -> None:
        self._out.append(char)
        self._utf16 += 2 if ord(char) > 0xFFFF else 1

    def _skip_spaces(self) -> None:
        while self._pos < len(self._text) and self._at(self._pos) in _SPACES:
            self._pos += 1

    def _decode_character_reference(self, pos: int) -> tuple[str, int] | None:
        text = self._text
        end = pos + 1
        if self._at(end) == "#":
            end += 1
            value = 0
            if self._at(end) == "x":
                end += 1
                digits_start = end
                while self._at(end) in "0123456789abcdefABCDEF" and self._at(end) != "\0":
                    end += 1
                digits = text[digits_start:end]
                value = int(digits, 16) if digits else 0
            else:
                digits_start = end
                while self._at(end).isascii() and self._at(end).isdigit():
                    end += 1
                digits = text[digits_start:end]
                value = int(digits) if digits else 0
            if value == 0 or value >= _MAX_CODE_POINT or 0xD800 <= value <= 0xDFFF:
                return None
            char = chr(value)
        else:
            while self._at(end).isascii() and self._at(end).isalpha():
                end += 1
            named = _NAMED_CHARACTER_REFERENCES.get(text[pos + 1 : end])
            if named is None:
                return None
            char = named
        if self._at(end) == ";":
            end += 1
        return char, end

    def _open_tag(self) -> None:
        text = self._text
        begin = self._pos
        begin_byte = self._byte_offset(begin)
        self._pos += 1
        while self._at(self._pos) not in _SPACES and self._at(self._pos) != ">":
            self._pos += 1
        if self._pos >= len(text):
            raise EntityParseError(f"Unclosed start tag at byte offset {begin_byte}")
        tag = text[begin + 1 : self._pos].lower()
        if tag not in _ALLOWED_TAGS:
            raise EntityParseError(f'Unsupported start tag "{tag}" at byte offset {begin_byte}')

        entity_kind = tag
        argument = ""
        language = ""
        while self._at(self._pos) != ">":
            attribute = self._read_attribute(tag, begin_byte)
            if attribute is None:
                break
            name, value = attribute
            if value is None:
                entity_kind = "expandable_blockquote"
            elif tag == "a" and name == "href":
                argument = value
            elif tag == "code" and name == "class" and value.startswith("language-"):
                language = value.removeprefix("language-")
            elif tag == "span" and name == "class" and value == "tg-spoiler":
                entity_kind = "tg-spoiler"
            elif tag == "tg-emoji" and name == "emoji-id":
                if not value.isdigit() or int(value) == 0:
                    raise EntityParseError("Invalid custom emoji identifier specified")
                argument = value
        if entity_kind == "span":
            raise EntityParseError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {begin_byte}'
            )
        if tag == "tg-emoji" and not argument:
            raise EntityParseError(
                f'Tag "tg-emoji" must have attribute "emoji-id" at byte offset {begin_byte}'
            )
        if tag == "code":
            argument = language
        self._pos += 1
        self._open.append(
            _OpenTag(
                tag=tag,
                entity_kind=entity_kind,
                argument=argument,
                utf16_offset=self._utf16,
                text_offset=len(self._out),
                begin_byte=begin_byte,
            )
        )

    def _read_attribute(self, tag: str, begin_byte: int) -> tuple[str, str | None] | None:
        """The next attribute of a start tag, None at its end; a value of None marks the
        one attribute allowed without a value, <blockquote expandable>."""
        text = self._text
        self._skip_spaces()
        if self._at(self._pos) == ">":
            return None
        if self._pos >= len(text):
            raise EntityParseError(f"Unclosed start tag at byte offset {begin_byte}")
        name_start = self._pos
        while self._at(self._pos) not in _SPACES and self._at(self._pos) not in "=>":
            self._pos += 1
        name = text[name_start : self._pos]
        if not name:
            raise EntityParseError(
                f'Empty attribute name in the tag "{tag}" at byte offset {begin_byte}'
            )
        self._skip_spaces()
        if self._at(self._pos) != "=":
            if tag == "blockquote" and name == "expandable":
                return name, None
            raise EntityParseError(
                "Expected equal sign in declaration of an attribute of the tag "
                f'"{tag}" at byte offset {begin_byte}'
            )
        self._pos += 1
        self._skip_spaces()
        if self._pos >= len(text):
            raise EntityParseError(f'Unclosed start tag "{tag}" at byte offset {begin_byte}')
        value = self._attribute_value()
        if self._pos >= len(text):
            raise EntityParseError(f"Unclosed start tag at byte offset {begin_byte}")
        return name, value

    def _attribute_value(self) -> str:
        text = self._text
        quote = self._at(self._pos)
        if quote not in {"'", '"'}:
            token_start = self._pos
            while self._at(self._pos).isascii() and (
                self._at(self._pos).isalnum() or self._at(self._pos) in ".-"
            ):
                self._pos += 1
            if self._at(self._pos) not in _SPACES and self._at(self._pos) != ">":
                raise EntityParseError(
                    f"Unexpected end of name token at byte offset {self._byte_offset(token_start)}"
                )
            return text[token_start : self._pos].lower()
        self._pos += 1
        value: list[str] = []
        while self._pos < len(text) and text[self._pos] != quote:
            if text[self._pos] == "&":
                decoded = self._decode_character_reference(self._pos)
                if decoded is not None:
                    value.append(decoded[0])
                    self._pos = decoded[1]
                    continue
            value.append(text[self._pos])
            self._pos += 1
        if self._at(self._pos) == quote:
            self._pos += 1
        return "".join(value)

    def _close_tag(self) -> None:
        begin = self._pos
        begin_byte = self._byte_offset(begin)
        if not self._open:
            raise EntityParseError(f"Unexpected end tag at byte offset {begin_byte}")
        self._pos += 2
        while self._at(self._pos) not in _SPACES and self._at(self._pos) != ">":
            self._pos += 1
        end_tag = self._text[begin + 2 : self._pos]
        self._skip_spaces()
        if self._at(self._pos) != ">":
            raise EntityParseError(f"Unclosed end tag at byte offset {begin_byte}")
        self._pos += 1
        opened = self._open[-1]
        if end_tag and end_tag.lower() != opened.tag:
            raise EntityParseError(
                f'Unmatched end tag at byte offset {begin_byte}, expected "</{opened.tag}>", '
                f'found "</{end_tag}>"'
            )
        self._open.pop()
        length = self._utf16 - opened.utf16_offset
        if length > 0:
            self._add_entity(opened, length)

    def _add_entity(self, opened: _OpenTag, length: int) -> None:
        offset = opened.utf16_offset
        kind = opened.entity_kind
        if kind == "a":
            url = opened.argument or "".join(self._out[opened.text_offset :])
            self._add_link(url, offset, length)
        elif kind in {"blockquote", "expandable_blockquote"}:
            self._entities.append({"type": kind, "offset": offset, "length": length})
        elif kind == "tg-emoji":
            self._entities.append(
                {
                    "type": "custom_emoji",
                    "offset": offset,
                    "length": length,
                    "custom_emoji_id": opened.argument,
                }
            )
        elif kind == "code":
            entity: dict[str, Any] = {"type": "code", "offset": offset, "length": length}
            if opened.argument:
                entity["_language"] = opened.argument
            self._entities.append(entity)
        elif kind == "pre":
            self._add_pre(offset, length)
        else:
            self._entities.append(
                {"type": _ENTITY_TYPE_BY_TAG[kind], "offset": offset, "length": length}
            )

    def _add_pre(self, offset: int, length: int) -> None:
        # <pre><code class="language-x">...</code></pre> is one pre entity with a language.
        last = self._entities[-1] if self._entities else None
        if (
            last is not None
            and last["type"] == "code"
            and last["offset"] == offset
            and last["length"] == length
            and "_language" in last
        ):
            self._entities[-1] = {
                "type": "pre",
                "offset": offset,
                "length": length,
                "language": last["_language"],
            }
            return
        self._entities.append({"type": "pre", "offset": offset, "length": length})

    def _add_link(self, url: str, offset: int, length: int) -> None:
        user_id = mentioned_user_id(url)
        if user_id is not None:
            user = self._lookup_user(user_id) if self._lookup_user else None
            if user is not None:
                self._entities.append(
                    {"type": "text_mention", "offset": offset, "length": length, "user": user}
                )
            return
        normalized = normalize_link(url)
        if normalized is not None:
            self._entities.append(
                {"type": "text_link", "offset": offset, "length": length, "url": normalized}
            )
