"""Alembic migrations of the findings database (`versions/`, one file per schema change).

`pipeline.store.database.open_database` applies them when it opens an older
database; to write a new one, change `pipeline/store/schema.py`, add a file
to `versions/` whose `down_revision` is the current head, and bump
`schema.SCHEMA_VERSION`. `tests/test_migrations.py` checks that a database of
the first released schema upgrades to exactly what `schema.py` describes.
"""
