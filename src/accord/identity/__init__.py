"""Organisations, members, roles, API keys, authentication and scoping."""
