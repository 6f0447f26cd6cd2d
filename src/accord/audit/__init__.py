"""Append-only, hash-chained audit events: the facts every report is computed from."""
