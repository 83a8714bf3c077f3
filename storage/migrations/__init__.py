"""Alembic migrations for costbot's schema (`costbot db upgrade`, also run by `costbot serve` at start-up)."""
