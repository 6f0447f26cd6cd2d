"""The instance's settings, read once per process: light enough for commands that never open the database."""

from __future__ import annotations

from functools import cache

from accord.settings import Settings


@cache
def settings() -> Settings:
    return Settings()
