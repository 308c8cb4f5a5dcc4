from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import Settings, SettingsError, ThreadModeration, load_settings
from tests.factories import TOKEN

ROOT = Path(__file__).resolve().parents[2]


def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for key in list(os.environ):
        if key.startswith(
            ("BOT_", "TELEGRAM_", "CHANNEL_", "MODERAT", "DISCUSSION_", "ADMIN_", "THREAD_")
        ):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)  # no .env from the developer's checkout


def test_comma_separated_ids_and_channel_username(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """ADMIN_IDS takes `1, 2,3`; CHANNEL_ID takes a @username."""
    _clean_env(monkeypatch, tmp_path)
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    monkeypatch.setenv("CHANNEL_ID", "@newsroom_blog")
    monkeypatch.setenv("MODERATION_CHAT_ID", "-1001")
    monkeypatch.setenv("ADMIN_IDS", "1, 2,3")
    settings = load_settings()
    assert settings.admin_ids == [1, 2, 3]
    assert settings.channel_id == "@newsroom_blog"
    assert settings.discussion_chat_id is None
    assert settings.moderator_user_ids == frozenset({1, 2, 3})
    assert settings.thread_moderation is ThreadModeration.PRE
    monkeypatch.setenv("THREAD_MODERATION", " OFF ")
    assert load_settings().thread_moderation is ThreadModeration.OFF
    monkeypatch.setenv("THREAD_MODERATION", "Post")
    assert load_settings().thread_moderation is ThreadModeration.POST


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"CHANNEL_ID": "-1001", "MODERATION_CHAT_ID": "-1002"}, "BOT_TOKEN is required"),
        ({"BOT_TOKEN": "nonsense", "CHANNEL_ID": "-1001", "MODERATION_CHAT_ID": "-1"}, "BOT_TOKEN"),
        ({"BOT_TOKEN": TOKEN, "CHANNEL_ID": "blog", "MODERATION_CHAT_ID": "-1"}, "CHANNEL_ID"),
        (
            {"BOT_TOKEN": TOKEN, "CHANNEL_ID": "-1001", "MODERATION_CHAT_ID": "x"},
            "MODERATION_CHAT_ID",
        ),
        (
            {
                "BOT_TOKEN": TOKEN,
                "CHANNEL_ID": "-1001",
                "MODERATION_CHAT_ID": "-1",
                "ADMIN_IDS": "1,abc",
            },
            "ADMIN_IDS",
        ),
        (
            {
                "BOT_TOKEN": TOKEN,
                "CHANNEL_ID": "-1001",
                "MODERATION_CHAT_ID": "-1",
                "THREAD_MODERATION": "later",
            },
            "THREAD_MODERATION",
        ),
    ],
)
def test_a_bad_setting_is_named(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, env: dict[str, str], named: str
) -> None:
    """A missing or malformed setting raises SettingsError naming it."""
    _clean_env(monkeypatch, tmp_path)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(SettingsError, match=named):
        load_settings()


def test_the_process_exits_with_one_line_and_no_traceback(tmp_path: Path) -> None:
    """`python -m bot` without settings exits non-zero with one line naming the setting."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("BOT_", "CHANNEL_", "MODERATION_"))
    }
    env["PYTHONPATH"] = str(ROOT)
    result = subprocess.run(
        [sys.executable, "-m", "bot"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "BOT_TOKEN is required" in lines[0]
    assert "Traceback" not in result.stderr


def test_env_example_documents_every_setting() -> None:
    """Every settings field appears in .env.example, with a comment above it."""
    lines = (ROOT / ".env.example").read_text(encoding="utf-8").splitlines()
    keys = {line.split("=", 1)[0] for line in lines if "=" in line and not line.startswith("#")}
    assert keys == {name.upper() for name in Settings.model_fields}
    for index, line in enumerate(lines):
        if "=" in line and not line.startswith("#"):
            assert lines[index - 1].startswith("#"), f"{line} has no comment"


def test_values_left_as_in_the_example_are_refused_one_line_each(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A first run with .env copied from .env.example and not filled in: the bot names
    every key still holding the example's value, one per line, and does not start."""
    _clean_env(monkeypatch, tmp_path)
    (tmp_path / ".env").write_text((ROOT / ".env.example").read_text())
    with pytest.raises(SettingsError) as refused:
        load_settings()
    lines = str(refused.value).splitlines()
    assert [line.split()[0] for line in lines] == ["BOT_TOKEN", "CHANNEL_ID", "ADMIN_IDS"]
    assert "@BotFather" in lines[0]
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    monkeypatch.setenv("CHANNEL_ID", "@the_blog")
    monkeypatch.setenv("MODERATION_CHAT_ID", "-1009")
    monkeypatch.setenv("ADMIN_IDS", "42")
    assert load_settings().admin_ids == [42]


def test_spam_thresholds_out_of_order_are_refused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """An "unsure" threshold above the spam one would leave no room for "unsure"."""
    _clean_env(monkeypatch, tmp_path)
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    monkeypatch.setenv("CHANNEL_ID", "@newsroom_blog")
    monkeypatch.setenv("MODERATION_CHAT_ID", "-1001")
    monkeypatch.setenv("SPAM_THRESHOLD", "0.6")
    monkeypatch.setenv("SPAM_UNSURE_THRESHOLD", "0.8")
    with pytest.raises(SettingsError, match="SPAM_UNSURE_THRESHOLD"):
        load_settings()
    monkeypatch.setenv("SPAM_UNSURE_THRESHOLD", "0.5")
    assert load_settings().spam_unsure_threshold == 0.5


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("off_topic,,duplicate", "REJECT_REASONS has an empty entry"),
        ("off_topic,", "REJECT_REASONS has an empty entry"),
        (",".join(f"reason{n}" for n in range(11)), "REJECT_REASONS lists 11 reasons"),
        ("off_topic," + "x" * 33, "too long for a button's data"),
        # Bytes, not characters: 11 ñ are 22 bytes, 17 are 34.
        ("ñ" * 17, "too long for a button's data"),
        ("duplicate,duplicate", "REJECT_REASONS lists a reason twice"),
    ],
)
def test_reject_reasons_that_cannot_make_a_keyboard_are_refused_at_start(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, value: str, problem: str
) -> None:
    _clean_env(monkeypatch, tmp_path)
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    monkeypatch.setenv("CHANNEL_ID", "@newsroom_blog")
    monkeypatch.setenv("MODERATION_CHAT_ID", "-1001")
    monkeypatch.setenv("REJECT_REASONS", value)
    with pytest.raises(SettingsError, match=re.escape(problem)):
        load_settings()


def test_reject_reasons_default_and_an_editors_own(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _clean_env(monkeypatch, tmp_path)
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    monkeypatch.setenv("CHANNEL_ID", "@newsroom_blog")
    monkeypatch.setenv("MODERATION_CHAT_ID", "-1001")
    assert load_settings().reject_reasons == [
        "off_topic",
        "insulting",
        "personal_data",
        "duplicate",
        "misleading",
    ]
    monkeypatch.setenv("REJECT_REASONS", " off_topic , spam links,ñ" + "ñ" * 15)
    assert load_settings().reject_reasons == ["off_topic", "spam links", "ñ" * 16]
    monkeypatch.setenv("REJECT_REASONS", "")
    assert load_settings().reject_reasons == []


def test_the_configuration_page_documents_every_setting() -> None:
    """docs/configuration.md, "every setting, with its default": each one has a table row."""
    rows = [
        line
        for line in (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8").splitlines()
        if line.startswith("| `")
    ]
    missing = [
        name.upper()
        for name in Settings.model_fields
        if not any(f"`{name.upper()}`" in row.split(" | ")[0] for row in rows)
    ]
    assert missing == []
