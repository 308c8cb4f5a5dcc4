"""The list `python -m bot forgotten` prints and `forget-again` reads."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.__main__ import main
from bot.forget_cli import read_list
from bot.services.forget import Published


def test_the_list_reads_ids_with_their_choice_and_skips_blank_lines() -> None:
    """One `USER_ID CHOICE` a line, as printed; blank lines are nothing."""
    assert read_list("4242 keep\n\n-1001 down\n") == [
        (4242, Published.KEEP_ANONYMOUS),
        (-1001, Published.TAKE_DOWN),
    ]


@pytest.mark.parametrize("line", ["4242", "4242 maybe", "@zeph down", "4242 down extra"])
def test_a_line_that_is_not_the_lists_shape_is_refused_by_number(line: str) -> None:
    """A wrong line stops everything before anything is erased, and says which line."""
    with pytest.raises(ValueError, match="line 2 is not"):
        read_list(f"1 down\n{line}\n")


def test_a_database_path_that_is_no_database_is_one_clear_line(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`python -m bot forgotten`: exit 2 with the path named, not a traceback (nor a hang:
    the file is asked before it is opened)."""
    wrong = tmp_path / "bot.sqlite3"
    wrong.write_text("not a database, only text long enough to be read as a header\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_PATH", str(wrong))
    assert main(["forgotten"]) == 2
    error = capsys.readouterr().err
    assert "DATABASE_PATH" in error and str(wrong) in error and "Traceback" not in error
