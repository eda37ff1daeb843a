"""Persistence: SQLAlchemy 2 models, the batched writer, and the SQL behind the stats."""
