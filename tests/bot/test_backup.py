"""bot.backup and `python -m bot backup`: a consistent copy of a live WAL database."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.backup import BackupError, BackupRefusedError, backup_database


def _rows(path: Path) -> list[str]:
    with closing(sqlite3.connect(path)) as conn:
        return [row[0] for row in conn.execute("SELECT text FROM comments ORDER BY id")]


@contextmanager
def _live_database(path: Path) -> Iterator[sqlite3.Connection]:
    """A WAL database as the bot keeps it, with the writer's connection still open and
    automatic checkpoints off, so committed rows stay in the -wal file only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA wal_autocheckpoint = 0")
        conn.execute("CREATE TABLE comments (id INTEGER PRIMARY KEY, text TEXT NOT NULL)")
        yield conn


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "data" / "bot.sqlite3"
    with _live_database(path) as conn:
        conn.executemany("INSERT INTO comments (text) VALUES (?)", [("first",), ("second",)])
    return path


def test_copy_holds_the_data_in_one_file(database: Path, tmp_path: Path) -> None:
    """The copy has every row, passes an integrity check, and needs no -wal file beside it."""
    target = tmp_path / "backup.sqlite3"
    size = backup_database(database, target)
    assert size == target.stat().st_size > 0
    assert _rows(target) == ["first", "second"]
    with closing(sqlite3.connect(target)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["backup.sqlite3", "data"]


def test_the_copy_is_readable_by_its_owner_alone(database: Path, tmp_path: Path) -> None:
    """Run by hand under the usual umask (022), the copy of every reader's email and
    words is still 0600, not readable by every account on the machine."""
    previous = os.umask(0o022)
    try:
        target = tmp_path / "backup.sqlite3"
        backup_database(database, target)
    finally:
        os.umask(previous)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_copy_during_a_write_transaction_holds_the_rows_committed_to_the_wal(
    tmp_path: Path,
) -> None:
    """Rows committed but not checkpointed are copied; a write still open is neither
    waited for nor copied."""
    source = tmp_path / "data" / "bot.sqlite3"
    with _live_database(source) as writer:
        writer.executemany("INSERT INTO comments (text) VALUES (?)", [("one",), ("two",)])
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("INSERT INTO comments (text) VALUES ('not committed')")
        # The premise: a copy of the main file alone would not have the committed rows.
        main_file_only = tmp_path / "main-file-only.sqlite3"
        shutil.copyfile(source, main_file_only)
        with pytest.raises(sqlite3.OperationalError, match="no such table"):
            _rows(main_file_only)

        target = tmp_path / "backup.sqlite3"
        backup_database(source, target)
        writer.execute("COMMIT")
    assert _rows(target) == ["one", "two"]


def test_refuses_a_target_that_exists(database: Path, tmp_path: Path) -> None:
    """An existing file is never overwritten, not even an older backup."""
    target = tmp_path / "backup.sqlite3"
    target.write_bytes(b"older backup")
    with pytest.raises(BackupRefusedError, match="exists already"):
        backup_database(database, target)
    assert target.read_bytes() == b"older backup"


def test_refuses_a_target_whose_folder_does_not_exist(database: Path, tmp_path: Path) -> None:
    """A mistyped folder is reported, not created."""
    target = tmp_path / "no-such-folder" / "backup.sqlite3"
    with pytest.raises(BackupRefusedError, match="does not exist"):
        backup_database(database, target)
    assert not target.parent.exists()


def test_refuses_a_database_that_does_not_exist(tmp_path: Path) -> None:
    """A wrong DATABASE_PATH leaves neither an empty database nor an empty backup behind."""
    source = tmp_path / "data" / "bot.sqlite3"
    source.parent.mkdir()
    target = tmp_path / "backup.sqlite3"
    with pytest.raises(BackupRefusedError, match="no database"):
        backup_database(source, target)
    assert not source.exists()
    assert not target.exists()


def test_refuses_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    """A copy that failed half way is removed rather than left to pass for a backup."""
    source = tmp_path / "notes.txt"
    source.write_text("not a database " * 100)
    target = tmp_path / "backup.sqlite3"
    with pytest.raises(BackupError, match="cannot copy") as raised:
        backup_database(source, target)
    assert not isinstance(raised.value, BackupRefusedError)
    assert not target.exists()


@pytest.fixture
def only_database_path_in_dotenv(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, database: Path
) -> None:
    """A working folder whose .env names the database and nothing else: no Telegram."""
    for key in ("BOT_TOKEN", "CHANNEL_ID", "MODERATION_CHAT_ID", "DATABASE_PATH"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text(f"DATABASE_PATH={database}\n")


@pytest.mark.usefixtures("only_database_path_in_dotenv")
def test_cli_backs_up_with_only_database_path_set(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """`python -m bot backup PATH` needs DATABASE_PATH alone and says where and how big."""
    target = tmp_path / "backup.sqlite3"
    assert main(["backup", str(target)]) == 0
    assert _rows(target) == ["first", "second"]
    out, err = capsys.readouterr()
    assert err == ""
    assert out.count("\n") == 1
    assert str(target) in out
    assert f"{target.stat().st_size:,} bytes" in out


@pytest.mark.usefixtures("only_database_path_in_dotenv")
@pytest.mark.parametrize("target_name", ["backup.sqlite3", "missing/backup.sqlite3"])
def test_cli_refuses_with_one_line_and_exit_code_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, target_name: str
) -> None:
    """An existing target or a missing folder: one line on stderr, exit code 2."""
    (tmp_path / "backup.sqlite3").write_bytes(b"older backup")
    assert main(["backup", str(tmp_path / target_name)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("Backup refused: ")
    assert err.count("\n") == 1
    assert (tmp_path / "backup.sqlite3").read_bytes() == b"older backup"
