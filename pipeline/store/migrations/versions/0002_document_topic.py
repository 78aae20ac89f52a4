"""findings_store_v2: whether a document reports an inspection (documents.topic, topic_confidence).

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("topic", sa.String(), nullable=True))
        batch.add_column(sa.Column("topic_confidence", sa.Float(), nullable=True))
        batch.create_index("ix_documents_topic", ["topic"])


def downgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.drop_index("ix_documents_topic")
        batch.drop_column("topic_confidence")
        batch.drop_column("topic")
