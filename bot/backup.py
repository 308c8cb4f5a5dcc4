"""A consistent copy of the bot's SQLite database, taken while the bot runs."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path

# Read and written by the owner alone: a backup is a copy of every email readers gave.
BACKUP_MODE = 0o600


class BackupError(Exception):
    """Why no backup was written, worded for a one-line exit message."""


class BackupRefusedError(BackupError):
    """The request itself cannot be met (no database, a target that exists or has no
    folder): nothing was tried, and running it again as it is will not help."""


def backup_database(source: Path, target: Path) -> int:
    """Copies the database at `source` to the new file `target`; returns the copy's size in
    bytes. Never overwrites: an existing `target` is refused, as is a missing folder.

    SQLite's online backup API reads through SQLite, so the copy holds every committed
    transaction, those still in the `-wal` file included, and none half done; copying the
    file itself would miss the first and could catch the second.
    """
    if not source.is_file():
        raise BackupRefusedError(f"there is no database at {source} (DATABASE_PATH)")
    if target.exists():
        raise BackupRefusedError(f"{target} exists already; give a new file name")
    if not target.parent.is_dir():
        raise BackupRefusedError(f"the folder {target.parent} does not exist")
    try:
        # O_EXCL claims the name, so a file that appeared since the check is not
        # overwritten; the mode is given here, or a shell's usual umask (022) would let
        # every account on the machine read the copy.
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, BACKUP_MODE))
    except OSError as error:
        raise BackupRefusedError(f"cannot create {target}: {error}") from None
    try:
        _copy(source, target)
    except BaseException:
        # A half-written copy must not pass for a backup, nor its journal be replayed
        # into a file given the same name later.
        for leftover in (target, target.with_name(f"{target.name}-journal")):
            with contextlib.suppress(OSError):
                leftover.unlink()
        raise
    return target.stat().st_size


def _copy(source: Path, target: Path) -> None:
    try:
        # mode=rw: a wrong path must not leave a new, empty database behind.
        reading = sqlite3.connect(f"{source.resolve().as_uri()}?mode=rw", uri=True)
        try:
            writing = sqlite3.connect(target)
            try:
                reading.backup(writing)
                # The copy would inherit WAL mode from the live file; one self-contained
                # file is what gets moved around and restored (the bot turns WAL on again).
                writing.execute("PRAGMA journal_mode = DELETE")
            finally:
                writing.close()
        finally:
            reading.close()
    except sqlite3.Error as error:
        raise BackupError(f"cannot copy {source}: {error}") from None
