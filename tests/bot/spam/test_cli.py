"""`python -m bot spam learn|check|eval`, each run as an editor would, in a process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.process import ROOT

NEW_KIND = [
    "Handmade leather wallets at factory price, free shipping worldwide, order on our site",
    "Genuine leather wallets, factory prices, worldwide free shipping, order today online",
    "Factory price handmade leather wallets with free worldwide shipping, order now",
]
NEW_ONE = "Leather wallets handmade at factory price, free shipping to any country, order here"
GENUINE = "The border wait in Nogales was three hours today, worse than last week."


def spam_command(
    database: Path,
    *arguments: str,
    stdin: str = "",
    timeout: float = 60,
    settings: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """No Telegram settings at all: the spam commands need DATABASE_PATH alone."""
    env = {
        key: value for key, value in os.environ.items() if key not in {"BOT_TOKEN", "CHANNEL_ID"}
    }
    env.update({"PYTHONPATH": str(ROOT), "DATABASE_PATH": str(database), **(settings or {})})
    return subprocess.run(
        [sys.executable, "-m", "bot", "spam", *arguments],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=database.parent,
        timeout=timeout,
        check=False,
    )


def check_lines(database: Path, *texts: str) -> list[dict[str, object]]:
    done = spam_command(database, "check", stdin="".join(f"{text}\n" for text in texts))
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def test_learn_then_check_on_the_same_database(tmp_path: Path) -> None:
    """Spam learned from a file is caught by `check`, which prints one JSON object a line."""
    database = tmp_path / "bot.sqlite3"
    spam_file = tmp_path / "spam.txt"
    spam_file.write_text("\n".join(NEW_KIND) + "\n\n", encoding="utf-8")
    ham_file = tmp_path / "ham.txt"
    ham_file.write_text("Thanks for the clear summary of the treaty.\n", encoding="utf-8")

    before = check_lines(database, NEW_ONE, GENUINE)
    learned = spam_command(database, "learn", "--spam", str(spam_file), "--ham", str(ham_file))
    after = check_lines(database, NEW_ONE, GENUINE)

    assert learned.returncode == 0, learned.stderr
    assert "3 new spam examples learned" in learned.stdout
    assert before[0]["verdict"] != "spam"
    assert after[0]["verdict"] == "spam"
    assert after[1]["verdict"] == "ham"
    assert set(after[0]) == {"text", "verdict", "score", "reasons"}
    assert after[0]["text"] == NEW_ONE
    assert isinstance(after[0]["score"], float) and isinstance(after[0]["reasons"], list)


def test_eval_prints_precision_recall_and_unsure(tmp_path: Path) -> None:
    """k-fold figures on labelled files."""
    spam_file = tmp_path / "spam.txt"
    spam_file.write_text(
        "\n".join(f"{text} code {n}" for n in range(3) for text in NEW_KIND), encoding="utf-8"
    )
    ham_file = tmp_path / "ham.txt"
    ham_file.write_text(
        "\n".join(f"{GENUINE} Day {n}, said the driver." for n in range(9)), encoding="utf-8"
    )
    done = spam_command(
        tmp_path / "bot.sqlite3", "eval", "--spam", str(spam_file), "--ham", str(ham_file)
    )
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout.split(": ", 1)[1])
    assert figures["spam"] == 9 and figures["ham"] == 9
    assert {"precision", "recall", "unsure"} <= set(figures)


def test_learn_without_files_is_refused(tmp_path: Path) -> None:
    """A mistyped command says what it needs, with a non-zero exit."""
    done = spam_command(tmp_path / "bot.sqlite3", "learn")
    assert done.returncode == 2
    assert "--spam" in done.stderr
    missing = spam_command(tmp_path / "bot.sqlite3", "learn", "--spam", str(tmp_path / "nope"))
    assert missing.returncode == 1
    assert "Cannot read" in missing.stderr


def raw_check(database: Path, stdin: bytes, **env_extra: str) -> subprocess.CompletedProcess[bytes]:
    """`check` fed bytes, as a shell pipe feeds it, its output kept as bytes."""
    env = {
        key: value for key, value in os.environ.items() if key not in {"BOT_TOKEN", "CHANNEL_ID"}
    }
    env.update({"PYTHONPATH": str(ROOT), "DATABASE_PATH": str(database), **env_extra})
    return subprocess.run(
        [sys.executable, "-m", "bot", "spam", "check"],
        input=stdin,
        capture_output=True,
        env=env,
        cwd=database.parent,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("stream_encoding", ["", "utf-8", "ascii"])
def test_check_reads_any_bytes_and_writes_json_lines_in_utf8(
    tmp_path: Path, stream_encoding: str
) -> None:
    """Invalid UTF-8 on standard input is read as replacement characters, whatever the
    locale says the streams are; the output is UTF-8 JSON a strict reader parses."""
    extra = {"PYTHONIOENCODING": stream_encoding} if stream_encoding else {}
    done = raw_check(
        tmp_path / "bot.sqlite3", b"caf\xe9 offer \xff\xfe\nGracias, se\xc3\xb1or\n", **extra
    )
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.decode("utf-8").splitlines()]
    assert [line["text"] for line in lines] == ["caf\ufffd offer \ufffd\ufffd", "Gracias, señor"]
    assert {line["verdict"] for line in lines} <= {"spam", "unsure", "ham"}


def test_a_file_that_is_not_a_database_is_named_without_a_traceback(tmp_path: Path) -> None:
    """DATABASE_PATH pointing at something else: one line naming it, and the command ends."""
    database = tmp_path / "notes.txt"
    database.write_text("not a database, " * 100, encoding="utf-8")
    done = spam_command(database, "check", stdin="Earn $500 a day\n", timeout=20)
    assert done.returncode == 2
    assert "DATABASE_PATH" in done.stderr and str(database) in done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == ""


def test_eval_with_fewer_than_two_folds_is_refused(tmp_path: Path) -> None:
    """One fold would test on nothing it did not learn: refused, not figures of nothing."""
    spam_file = tmp_path / "spam.txt"
    spam_file.write_text("\n".join(NEW_KIND), encoding="utf-8")
    for folds in ("0", "1", "-3"):
        done = spam_command(
            tmp_path / "bot.sqlite3",
            "eval",
            "--spam",
            str(spam_file),
            "--ham",
            str(spam_file),
            "--folds",
            folds,
        )
        assert done.returncode == 2, (folds, done.stdout)
        assert "--folds" in done.stderr and done.stdout == ""


def test_learn_with_one_file_missing_learns_nothing(tmp_path: Path) -> None:
    """A missing file is found before anything is learned: running the command again with
    the name corrected learns every line, none half-learned by the first try."""
    database = tmp_path / "bot.sqlite3"
    spam_file = tmp_path / "spam.txt"
    spam_file.write_text("\n".join(NEW_KIND), encoding="utf-8")
    missing = spam_command(
        database, "learn", "--spam", str(spam_file), "--ham", str(tmp_path / "hma.txt")
    )
    again = spam_command(database, "learn", "--spam", str(spam_file))
    assert missing.returncode == 1 and "hma.txt" in missing.stderr
    assert missing.stdout == ""
    assert "3 new spam examples learned" in again.stdout


def test_one_message_a_line_means_a_newline_ends_it(tmp_path: Path) -> None:
    """Only a newline (or CRLF) ends a message: a form feed or a Unicode line separator
    inside one, as pasted text may hold, does not cut it in two."""
    spam_file = tmp_path / "spam.txt"
    spam_file.write_bytes(
        "Free signals\u2028join now\r\nCrypto\x0cprofits daily\nDating\x85tonight\n".encode()
    )
    done = spam_command(tmp_path / "bot.sqlite3", "learn", "--spam", str(spam_file))
    assert done.returncode == 0, done.stderr
    assert "3 new spam examples learned" in done.stdout


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        ({"SPAM_THRESHOLD": "high"}, "SPAM_THRESHOLD"),
        ({"SPAM_THRESHOLD": "5"}, "SPAM_THRESHOLD"),
        ({"SPAM_THRESHOLD": "0.4", "SPAM_UNSURE_THRESHOLD": "0.9"}, "SPAM_UNSURE_THRESHOLD"),
    ],
)
def test_a_bad_threshold_is_refused_as_the_bot_refuses_it(
    tmp_path: Path, settings: dict[str, str], named: str
) -> None:
    """The commands judge with the bot's thresholds, so they refuse what the bot would
    refuse, in one line naming the setting, rather than check with nonsense."""
    done = spam_command(
        tmp_path / "bot.sqlite3", "check", stdin="Earn $500 a day\n", settings=settings
    )
    assert done.returncode == 2
    assert done.stderr.startswith("Configuration error: ") and named in done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""


def test_each_action_explains_itself(tmp_path: Path) -> None:
    """`python -m bot spam check --help` says what it reads and what it prints."""
    helps = {
        action: spam_command(tmp_path / "bot.sqlite3", action, "--help").stdout
        for action in ("learn", "check", "eval")
    }
    assert "python -m bot spam check" in helps["check"]
    assert "JSON" in helps["check"] and "standard input" in helps["check"]
    assert "one message a line" in helps["learn"] and "--folds" in helps["eval"]
    assert "recall" in helps["eval"]
