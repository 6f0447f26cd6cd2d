"""Accord: acting together against terrorist content online."""

__version__ = "0.1.0"
