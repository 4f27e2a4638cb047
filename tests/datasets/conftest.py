"""Fixtures for dataset tests: the shared real datasets and an isolated processed cache."""

from __future__ import annotations

from pathlib import Path

import pytest

#: ../shared/datasets next to the repository (as in CI: a checkout with shared/ beside it).
SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "datasets"


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory, monkeypatch):
    """Every test gets its own processed cache and no HGKIT_DATA from the environment."""
    monkeypatch.setenv("HGKIT_CACHE", str(tmp_path_factory.mktemp("cache")))
    monkeypatch.delenv("HGKIT_DATA", raising=False)


@pytest.fixture
def shared_root() -> Path:
    """The shared datasets folder; the test is skipped with a reason when it is absent."""
    if not SHARED.is_dir():
        pytest.skip(f"shared datasets not found at {SHARED}")
    return SHARED


def require(name: str) -> Path:
    """Skip unless ``SHARED/name/raw`` exists; return the raw folder."""
    raw = SHARED / name / "raw"
    if not raw.is_dir():
        pytest.skip(f"dataset {name} not found at {raw}")
    return raw
