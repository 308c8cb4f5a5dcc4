"""The list `python -m bot forgotten` prints and `forget-again` reads."""

from __future__ import annotations

import pytest

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
