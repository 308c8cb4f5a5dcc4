"""The version /status shows is the one the project is released as."""

from __future__ import annotations

import tomllib
from pathlib import Path

import bot

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


def test_version_matches_pyproject() -> None:
    """bot.__version__ and pyproject.toml's [project] version are the same string."""
    with PYPROJECT.open("rb") as file:
        project = tomllib.load(file)["project"]
    assert bot.__version__ == project["version"]
