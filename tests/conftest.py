from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.settings import Settings
from storage.db import Database
from tests.factories import make_settings


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
