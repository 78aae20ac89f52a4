"""findings_store_v4: findings an analyst dismissed ("not a finding"); the facet tables
(`finding_facts`, `finding_scope`) and the full-text search table the workbench reads, filled
for every stored document.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from pipeline.store.facets import index_document
    from pipeline.store.schema import finding_facts, finding_scope, finding_search

    # A plain ADD COLUMN: a batch copy of `findings` would drop the old table, which on SQLite
    # runs the foreign-key actions of everything pointing at it (corrections, unit links).
    op.add_column("findings", sa.Column("dismissed", sa.Boolean(), nullable=False, server_default=sa.false()))
    bind = op.get_bind()
    for table in (finding_facts, finding_scope, finding_search):
        table.create(bind)  # with its indexes (and, for finding_search, the full-text index)
    for (document_id,) in bind.execute(sa.text("SELECT id FROM documents ORDER BY id")).all():
        index_document(bind, document_id)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS finding_search_fts")
    for table in ("finding_search", "finding_scope", "finding_facts"):
        op.drop_table(table)
    with op.batch_alter_table("findings") as batch:
        batch.drop_column("dismissed")
