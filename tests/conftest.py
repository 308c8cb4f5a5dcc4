from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.settings import Settings
from storage.db import Database
from tests.factories import make_settings

# As bot.app sets for the process: retry_after as a timedelta, without a deprecation warning
# (warnings are errors here). Tests that drive the outbox worker alone need it too.
os.environ.setdefault("PTB_TIMEDELTA", "true")


@pytest.fixture
def database_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "bot.sqlite3"


@pytest.fixture
def settings(database_path: Path) -> Settings:
    return make_settings(database_path)


@pytest.fixture
async def db(database_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(database_path)
    yield database
    await database.close()
