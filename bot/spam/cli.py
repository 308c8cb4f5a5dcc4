"""`python -m bot spam learn|check|eval`: the running bot's spam check, from a shell.

Same database (DATABASE_PATH) and so the same model as the bot: what `learn` adds, the
bot learns at its next start (or its next SpamFilter.refresh)."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import BinaryIO

from bot.spam.checker import Thresholds
from bot.spam.evaluate import k_fold
from bot.spam.filter import COMMAND_LINE, SpamFilter, read_lines, starter_set
from storage.db import Database, database_problem


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    spam = commands.add_parser(
        "spam",
        prog="python -m bot spam",
        help="teach, try or measure the spam check (same database as the bot)",
        description="Teach, try or measure the spam check, on the bot's database.",
    )
    actions = spam.add_subparsers(dest="spam_command", metavar="ACTION", required=True)
    learn = _action(
        actions,
        "learn",
        "learn spam and ham messages from files, one message a line",
        "Learn spam and genuine (ham) messages from files, one message a line (blank lines"
        " skipped), into the bot's database: the running bot learns them at its next start.",
    )
    learn.add_argument("--spam", type=Path, metavar="FILE", help="spam, one message a line")
    learn.add_argument("--ham", type=Path, metavar="FILE", help="ham, one message a line")
    _action(
        actions,
        "check",
        "check messages read on standard input; print JSON lines",
        "Check messages read on standard input, one a line (blank lines skipped), with what"
        " the bot has learned; print one JSON object a line, in UTF-8: text, verdict (spam,"
        " unsure or ham), score (0.0-1.0) and reasons.",
    )
    evaluate = _action(
        actions,
        "eval",
        "k-fold precision, recall and unsure share on labelled files",
        "Precision, recall and the share of unsure verdicts on labelled files, by k-fold"
        " cross-validation after the starter set (the bot's database is not touched).",
    )
    evaluate.add_argument("--spam", type=Path, metavar="FILE", required=True)
    evaluate.add_argument("--ham", type=Path, metavar="FILE", required=True)
    evaluate.add_argument("--folds", type=_folds, default=5, help="at least 2 (default 5)")


def _action(
    actions: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    summary: str,
    description: str,
) -> argparse.ArgumentParser:
    """`python -m bot spam --help` lists the summary; `… spam NAME --help` the description."""
    return actions.add_parser(
        name, prog=f"python -m bot spam {name}", help=summary, description=description
    )


def _folds(value: str) -> int:
    # One fold would test on nothing it had not learned.
    if not value.lstrip("-").isdigit() or int(value) < 2:
        raise argparse.ArgumentTypeError(f"must be a whole number, 2 or more, not {value!r}")
    return int(value)


def run(arguments: argparse.Namespace, database_path: Path, thresholds: Thresholds) -> int:
    try:
        if arguments.spam_command == "eval":
            return _evaluate(arguments.spam, arguments.ham, arguments.folds, thresholds)
        if arguments.spam_command == "learn":
            if arguments.spam is None and arguments.ham is None:
                print("Give --spam FILE, --ham FILE or both", file=sys.stderr)
                return 2
            # Both files read before anything is learned: a mistyped name learns nothing.
            files = [
                (path, is_spam, _messages(path))
                for path, is_spam in ((arguments.spam, True), (arguments.ham, False))
                if path is not None
            ]
        # Asked first: aiosqlite's thread, left open by a failed start, would keep the
        # process from ending (a file that is not a database hung it).
        problem = database_problem(database_path)
        if problem is not None:
            print(f"DATABASE_PATH {problem}", file=sys.stderr)
            return 2
        if arguments.spam_command == "learn":
            return asyncio.run(_learn(database_path, thresholds, files))
        return asyncio.run(_check_input(database_path, thresholds))
    except OSError as error:
        print(f"Cannot read: {error}", file=sys.stderr)
        return 1


def _messages(path: Path) -> list[str]:
    return read_lines(path.read_text(encoding="utf-8", errors="replace"))


async def _open(database_path: Path, thresholds: Thresholds) -> tuple[Database, SpamFilter]:
    database = await Database.open(database_path)
    try:
        return database, await SpamFilter.open(database, thresholds)
    except BaseException:
        await database.close()
        raise


async def _learn(
    database_path: Path, thresholds: Thresholds, files: list[tuple[Path, bool, list[str]]]
) -> int:
    database, spam_filter = await _open(database_path, thresholds)
    try:
        for path, is_spam, texts in files:
            added = await spam_filter.learn_many(texts, spam=is_spam, source=COMMAND_LINE)
            label = "spam" if is_spam else "ham"
            print(f"{path}: {added} new {label} examples learned ({len(texts) - added} known)")
        await spam_filter.save()
    finally:
        await database.close()
    return 0


async def _check_input(database_path: Path, thresholds: Thresholds) -> int:
    database, spam_filter = await _open(database_path, thresholds)
    try:
        _check(spam_filter, sys.stdin.buffer, sys.stdout.buffer)
    finally:
        await database.close()
    return 0


def _check(spam_filter: SpamFilter, lines: BinaryIO, out: BinaryIO) -> None:
    """Bytes in and out: whatever the locale says the streams are, the input is read as
    UTF-8 (anything else replaced, as `learn` reads files) and the output is UTF-8."""
    for raw in lines:
        text = raw.decode("utf-8", errors="replace").rstrip("\r\n")
        if not text.strip():
            continue
        result = spam_filter.check(text)
        record = {
            "text": text,
            "verdict": result.verdict.value,
            "score": result.score,
            "reasons": result.reasons_text,
        }
        out.write((json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8"))
        out.flush()


def _evaluate(spam: Path, ham: Path, folds: int, thresholds: Thresholds) -> int:
    spam_texts = _messages(spam)
    ham_texts = _messages(ham)
    if len(spam_texts) < folds or len(ham_texts) < folds:
        print(f"Each file needs at least {folds} messages", file=sys.stderr)
        return 2
    accuracy = k_fold(thresholds, spam_texts, ham_texts, base=starter_set(), folds=folds)
    print(f"{folds}-fold, after the starter set: {json.dumps(accuracy.as_dict())}")
    return 0
