"""Alembic migrations. ``accord db upgrade`` runs them; ``alembic check`` proves models and migrations agree."""
