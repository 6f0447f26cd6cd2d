"""Imports every model module the domain manifest names, so that ``Base.metadata`` is complete (Alembic and
test setup use this)."""

from __future__ import annotations

from accord import manifest
from accord.db import Base

MODEL_MODULES = tuple(manifest.load("models"))

metadata = Base.metadata
