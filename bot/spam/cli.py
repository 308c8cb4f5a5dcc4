"""`python -m bot spam learn|check|eval`: the running bot's spam check, from a shell.

Same database (DATABASE_PATH) and so the same model as the bot: what `learn` adds, the
bot learns at its next start (or its next SpamFilter.refresh)."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import TextIO

from bot.spam.checker import Thresholds
from bot.spam.evaluate import k_fold
from bot.spam.filter import COMMAND_LINE, SpamFilter, read_lines, starter_set
from storage.db import Database


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    spam = commands.add_parser(
        "spam",
        prog="python -m bot spam",
        help="teach, try or measure the spam check (same database as the bot)",
        description="Teach, try or measure the spam check, on the bot's database.",
    )
    actions = spam.add_subparsers(dest="spam_command", metavar="ACTION", required=True)
    learn = actions.add_parser(
        "learn", help="learn spam and ham messages from files, one message per line"
    )
    learn.add_argument("--spam", type=Path, metavar="FILE", help="spam, one message a line")
    learn.add_argument("--ham", type=Path, metavar="FILE", help="ham, one message a line")
    actions.add_parser(
        "check", help="check messages read on standard input (one a line); print JSON lines"
    )
    evaluate = actions.add_parser(
        "eval", help="k-fold precision, recall and unsure share on labelled files"
    )
    evaluate.add_argument("--spam", type=Path, metavar="FILE", required=True)
    evaluate.add_argument("--ham", type=Path, metavar="FILE", required=True)
    evaluate.add_argument("--folds", type=int, default=5)


def run(arguments: argparse.Namespace, database_path: Path, thresholds: Thresholds) -> int:
    try:
        if arguments.spam_command == "eval":
            return _evaluate(arguments.spam, arguments.ham, arguments.folds, thresholds)
        return asyncio.run(_with_filter(arguments, database_path, thresholds))
    except OSError as error:
        print(f"Cannot read: {error}", file=sys.stderr)
        return 1


async def _with_filter(
    arguments: argparse.Namespace, database_path: Path, thresholds: Thresholds
) -> int:
    database = await Database.open(database_path)
    try:
        spam_filter = await SpamFilter.open(database, thresholds)
        if arguments.spam_command == "learn":
            return await _learn(spam_filter, arguments.spam, arguments.ham)
        _check(spam_filter, sys.stdin, sys.stdout)
        return 0
    finally:
        await database.close()


async def _learn(spam_filter: SpamFilter, spam: Path | None, ham: Path | None) -> int:
    if spam is None and ham is None:
        print("Give --spam FILE, --ham FILE or both", file=sys.stderr)
        return 2
    for path, is_spam in ((spam, True), (ham, False)):
        if path is None:
            continue
        texts = read_lines(path.read_text(encoding="utf-8", errors="replace"))
        added = await spam_filter.learn_many(texts, spam=is_spam, source=COMMAND_LINE)
        label = "spam" if is_spam else "ham"
        print(f"{path}: {added} new {label} examples learned ({len(texts) - added} known)")
    await spam_filter.save()
    return 0


def _check(spam_filter: SpamFilter, lines: TextIO, out: TextIO) -> None:
    for line in lines:
        text = line.rstrip("\n")
        if not text.strip():
            continue
        result = spam_filter.check(text)
        record = {
            "text": text,
            "verdict": result.verdict.value,
            "score": result.score,
            "reasons": result.reasons_text,
        }
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        out.flush()


def _evaluate(spam: Path, ham: Path, folds: int, thresholds: Thresholds) -> int:
    spam_texts = read_lines(spam.read_text(encoding="utf-8", errors="replace"))
    ham_texts = read_lines(ham.read_text(encoding="utf-8", errors="replace"))
    if len(spam_texts) < folds or len(ham_texts) < folds:
        print(f"Each file needs at least {folds} messages", file=sys.stderr)
        return 2
    accuracy = k_fold(thresholds, spam_texts, ham_texts, base=starter_set(), folds=folds)
    print(f"{folds}-fold, after the starter set: {json.dumps(accuracy.as_dict())}")
    return 0
