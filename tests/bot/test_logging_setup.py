"""bot.logging_setup: LOG_FORMAT=json writes one JSON object per line."""

from __future__ import annotations

import json
import logging
import sqlite3
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest
from telegram.error import BadRequest

from bot.logging_setup import JsonLines, configure_logging
from bot.settings import SettingsError, load_settings
from storage import processed_updates
from tests.factories import TOKEN, make_settings


def _record(message: str, *args: object, **extra: object) -> logging.LogRecord:
    record = logging.LogRecord("bot.outbox", logging.WARNING, __file__, 1, message, args, None)
    record.__dict__.update(extra)
    return record


def test_json_line_carries_time_level_logger_message_and_extra_ids() -> None:
    """Ids passed with `extra=` become fields; the message is formatted; time is UTC."""
    record = _record(
        "Delivery of %s held:\nchat %d", "card", 42, update_id=7, submission_id=9, chat_id=-100
    )
    line = JsonLines().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry == {
        "time": entry["time"],
        "level": "WARNING",
        "logger": "bot.outbox",
        "message": "Delivery of card held:\nchat 42",
        "update_id": 7,
        "submission_id": 9,
        "chat_id": -100,
    }
    logged_at = datetime.fromisoformat(entry["time"])
    assert logged_at.utcoffset() == timedelta(0)
    assert abs(logged_at.timestamp() - record.created) < 0.001


def test_json_line_carries_the_exception_text() -> None:
    """A traceback, many lines long, stays inside one line's `exception` field."""
    try:
        raise sqlite3.OperationalError("database is locked")
    except sqlite3.OperationalError:
        record = logging.LogRecord(
            "bot.app", logging.ERROR, __file__, 1, "Update failed", None, sys.exc_info()
        )
    line = JsonLines().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["level"] == "ERROR"
    assert entry["message"] == "Update failed"
    assert entry["exception"].startswith("Traceback (most recent call last):\n")
    assert entry["exception"].endswith("sqlite3.OperationalError: database is locked")


def test_an_extra_that_json_cannot_hold_is_logged_as_text() -> None:
    """A value such as a Path is written as its text rather than losing the line."""
    entry = json.loads(JsonLines().format(_record("Opened", database=Path("data/bot.sqlite3"))))
    assert entry["database"] == "data/bot.sqlite3"


@pytest.fixture
def restored_logging() -> Iterator[None]:
    """configure_logging replaces the root handlers; put pytest's back afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    quieted = {name: logging.getLogger(name).level for name in ("httpx", "httpcore")}
    gateway = logging.getLogger("telegram.request.BaseRequest")
    gateway_filters = gateway.filters[:]
    yield
    root.handlers[:], root.level = handlers, level
    for name, quiet_level in quieted.items():
        logging.getLogger(name).setLevel(quiet_level)
    gateway.filters[:] = gateway_filters


@pytest.mark.usefixtures("restored_logging")
@pytest.mark.parametrize(
    ("log_format", "is_json"), [("json", True), (" JSON ", True), ("text", False)]
)
def test_log_format_chooses_json_or_text_and_the_token_stays_hidden(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, log_format: str, is_json: bool
) -> None:
    """LOG_FORMAT picks the format; either way the token is redacted."""
    settings = make_settings(tmp_path / "bot.sqlite3", log_format=log_format)
    configure_logging(settings)
    logging.getLogger("bot.polling").info("Calling %s/getMe", TOKEN, extra={"update_id": 5})
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1
    assert TOKEN not in lines[0]
    assert "<BOT_TOKEN>/getMe" in lines[0]
    if is_json:
        assert json.loads(lines[0])["update_id"] == 5
    else:
        assert lines[0].endswith("INFO bot.polling: Calling <BOT_TOKEN>/getMe")


@pytest.mark.usefixtures("restored_logging")
def test_json_lines_written_while_an_update_is_handled_carry_its_id(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Whatever logs while an update is handled (a handler, a library) is tagged with it."""
    configure_logging(make_settings(tmp_path / "bot.sqlite3", log_format="json"))
    with processed_updates.handling(4711):
        logging.getLogger("telegram.ext").warning("Something about it")
    logging.getLogger("bot.polling").warning("Between updates")
    during, between = (json.loads(line) for line in capsys.readouterr().err.splitlines())
    assert during["update_id"] == 4711
    assert "update_id" not in between


def test_log_format_defaults_to_text_and_refuses_others(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Unset means text; anything but text or json is a configuration error naming it."""
    assert make_settings(tmp_path / "bot.sqlite3").log_format == "text"
    monkeypatch.chdir(tmp_path)  # no .env from the developer's checkout
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    monkeypatch.setenv("CHANNEL_ID", "-1001")
    monkeypatch.setenv("MODERATION_CHAT_ID", "-1002")
    monkeypatch.setenv("LOG_FORMAT", "yaml")
    with pytest.raises(SettingsError, match="LOG_FORMAT must be text or json"):
        load_settings()


@pytest.mark.usefixtures("restored_logging")
@pytest.mark.parametrize("log_format", ["json", "text"])
def test_a_traceback_quoting_the_token_is_redacted(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, log_format: str
) -> None:
    configure_logging(make_settings(tmp_path / "bot.sqlite3", log_format=log_format))
    try:
        raise httpx.ConnectError(f"POST https://api.telegram.org/bot{TOKEN}/getMe failed")
    except httpx.ConnectError:
        logging.getLogger("httpx").exception("Request failed")
    written = capsys.readouterr().err
    assert "ConnectError" in written
    assert TOKEN not in written
    assert "<BOT_TOKEN>/getMe" in written


SECRET = "my secret, write to pris@example.com"


def _route(text: str) -> int:
    """A handler's bug that an input nobody foresaw trips: int() quotes what it was given."""
    return int(text)


@pytest.mark.usefixtures("restored_logging")
@pytest.mark.parametrize("log_format", ["json", "text"])
def test_a_traceback_keeps_its_frames_but_not_the_words_its_messages_quote(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, log_format: str
) -> None:
    """An exception's message can quote a person's words (int("my secret") says "invalid
    literal for int() with base 10: 'my secret'"), and so can the one it was raised
    while handling: the log keeps the frames, the types and Telegram's own words."""
    configure_logging(make_settings(tmp_path / "bot.sqlite3", log_format=log_format))
    try:
        try:
            raise BadRequest("Message is too long")
        except BadRequest:
            _route(SECRET)
    except ValueError:
        logging.getLogger("handlers.errors").exception("Handling an update failed")
    written = capsys.readouterr().err
    assert "secret" not in written
    assert "pris@example.com" not in written
    assert "Message is too long" in written
    assert "in _route" in written
    assert "ValueError: <" in written
    assert "During handling of the above exception" in written
