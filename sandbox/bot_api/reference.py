"""The Bot API 10.0 reference (bot-api-10.0.json) as the fake uses it.

The fake decodes parameters, refuses missing required ones and checks the objects it
builds against this file, so a field the real server requires can never be forgotten.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

REFERENCE_PATH = Path(__file__).with_name("bot-api-10.0.json")

_PRIMITIVES = {"Integer", "String", "Boolean", "Float", "True"}
# Subtypes (ChatMemberLeft, MessageOriginChannel...) are told apart by a field whose
# description reads 'always "left"'; checking it stops a wrong subtype from passing.
_CONSTANT_FIELD = re.compile(r'always "([^"]+)"')


@dataclass(frozen=True)
class Field:
    name: str
    types: tuple[str, ...]
    required: bool
    constant: str | None = None


@cache
def _reference() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(REFERENCE_PATH.read_text(encoding="utf-8"))
    return data


@cache
def _method_names_by_lower_case() -> dict[str, str]:
    return {name.lower(): name for name in _reference()["methods"]}


def canonical_method_name(name: str) -> str | None:
    """The reference spelling of a method; the real server matches names case-insensitively."""
    return _method_names_by_lower_case().get(name.lower())


@cache
def method_fields(method: str) -> tuple[Field, ...]:
    return _fields(_reference()["methods"][method])


@cache
def type_fields(type_name: str) -> tuple[Field, ...]:
    return _fields(_reference()["types"][type_name])


def type_subtypes(type_name: str) -> tuple[str, ...]:
    return tuple(_reference()["types"][type_name].get("subtypes", ()))


def is_known_type(type_name: str) -> bool:
    return type_name in _reference()["types"]


def _fields(entry: dict[str, Any]) -> tuple[Field, ...]:
    fields = []
    for f in entry.get("fields") or ():
        constant = _CONSTANT_FIELD.search(f.get("description", ""))
        fields.append(
            Field(
                name=f["name"],
                types=tuple(f["types"]),
                required=bool(f["required"]),
                constant=constant.group(1) if constant else None,
            )
        )
    return tuple(fields)


class ParameterError(ValueError):
    """A parameter value the real server would refuse to decode."""


def decode_parameter(field: Field | None, value: Any) -> Any:
    """Turns a wire value into its typed form.

    python-telegram-bot sends form fields where strings stay raw and everything else is
    JSON-encoded (numbers as "42", objects as JSON text); JSON bodies arrive typed already.
    """
    if field is None or not isinstance(value, str):
        return value
    types = field.types
    if types == ("String",):
        return value
    if "Integer" in types:
        try:
            return int(value)
        except ValueError:
            if "String" in types:
                return value
            raise ParameterError(f"invalid {field.name} specified") from None
    if types == ("Boolean",):
        lowered = value.lower()
        if lowered in {"true", "1"}:
            return True
        if lowered in {"false", "0", ""}:
            return False
        raise ParameterError(f"invalid {field.name} specified")
    if types == ("Float",):
        try:
            return float(value)
        except ValueError:
            raise ParameterError(f"invalid {field.name} specified") from None
    if "String" in types or any(t.startswith("Input") for t in types):
        return value
    try:
        return json.loads(value)
    except json.JSONDecodeError:
        if field.name == "reply_markup":
            raise ParameterError("can't parse reply keyboard markup JSON object") from None
        raise ParameterError(f"can't parse {field.name} JSON object") from None


def validate_result(method: str, result: Any) -> list[str]:
    """Like validate_object, for what `method` returns ("Message or True" and the like)."""
    returns = tuple(_reference()["methods"][method]["returns"])
    problems: list[str] = []
    _validate(result, returns, f"{method}()", problems)
    return problems


def validate_object(obj: Any, type_name: str) -> list[str]:
    """Lists every way `obj` departs from the reference type: missing required fields,
    fields the type does not have, and values of the wrong kind, recursively."""
    problems: list[str] = []
    _validate(obj, (type_name,), type_name, problems)
    return problems


def _validate(value: Any, types: tuple[str, ...], path: str, problems: list[str]) -> None:
    candidates: list[list[str]] = []
    for type_name in types:
        found: list[str] = []
        _validate_single(value, type_name, path, found)
        if not found:
            return
        candidates.append(found)
    closest = min(range(len(candidates)), key=lambda index: len(candidates[index]))
    problems.extend(candidates[closest])


def _validate_single(value: Any, type_name: str, path: str, problems: list[str]) -> None:
    if type_name.startswith("Array of "):
        if not isinstance(value, list):
            problems.append(f"{path}: expected {type_name}, got {type(value).__name__}")
            return
        inner = type_name.removeprefix("Array of ")
        for index, item in enumerate(value):
            _validate(item, (inner,), f"{path}[{index}]", problems)
        return
    if type_name in _PRIMITIVES:
        if not _primitive_matches(value, type_name):
            problems.append(f"{path}: expected {type_name}, got {value!r}")
        return
    if not is_known_type(type_name):
        problems.append(f"{path}: type {type_name} is not in the reference")
        return
    subtypes = type_subtypes(type_name)
    if subtypes:
        _validate(value, subtypes, path, problems)
        return
    if not isinstance(value, dict):
        problems.append(f"{path}: expected {type_name} object, got {type(value).__name__}")
        return
    fields = {f.name: f for f in type_fields(type_name)}
    for name, field in fields.items():
        if field.required and name not in value:
            problems.append(f"{path}.{name}: required field of {type_name} is missing")
    for name, item in value.items():
        spec = fields.get(name)
        if spec is None:
            problems.append(f"{path}.{name}: {type_name} has no such field")
            continue
        if spec.constant is not None and item != spec.constant:
            problems.append(f"{path}.{name}: {type_name} requires {spec.constant!r}, got {item!r}")
            continue
        _validate(item, spec.types, f"{path}.{name}", problems)


def _primitive_matches(value: Any, type_name: str) -> bool:
    if type_name == "String":
        return isinstance(value, str)
    if type_name in {"Boolean", "True"}:
        return isinstance(value, bool)
    if type_name == "Integer":
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, int | float) and not isinstance(value, bool)
