"""findings_store_v3: the page of each finding, date, reference and unit mention; corrections that
outlive re-processing (what they were made on, and whether they still apply).

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("findings", "dates", "legal_refs"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("page", sa.Integer(), nullable=True))
    with op.batch_alter_table("document_units") as batch:
        batch.add_column(sa.Column("pages", sa.JSON(), nullable=True))
    with op.batch_alter_table("corrections") as batch:
        batch.add_column(sa.Column("document_sha256", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("finding_text", sa.Text(), nullable=True))
        batch.add_column(sa.Column("span_start", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("span_end", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("status", sa.String(), nullable=False, server_default="applied"))
        batch.alter_column("finding_id", existing_type=sa.Integer(), nullable=True)
        batch.drop_constraint("fk_corrections_finding_id_findings", type_="foreignkey")
        batch.create_foreign_key("fk_corrections_finding_id_findings", "findings", ["finding_id"], ["id"],
                                 ondelete="SET NULL")
        batch.create_check_constraint(op.f("ck_corrections_status"), "status IN ('applied', 'orphaned')")
        batch.create_index("ix_corrections_document_sha256", ["document_sha256"])
    # What each existing correction was made on.
    op.execute("""
        UPDATE corrections SET
            document_sha256 = (SELECT d.sha256 FROM findings f JOIN documents d ON d.id = f.document_id
                               WHERE f.id = corrections.finding_id),
            finding_text = (SELECT f.text FROM findings f WHERE f.id = corrections.finding_id),
            span_start = (SELECT f.span_start FROM findings f WHERE f.id = corrections.finding_id),
            span_end = (SELECT f.span_end FROM findings f WHERE f.id = corrections.finding_id)
    """)


def downgrade() -> None:
    with op.batch_alter_table("corrections") as batch:
        batch.drop_index("ix_corrections_document_sha256")
        batch.drop_constraint(op.f("ck_corrections_status"), type_="check")
        for column in ("status", "span_end", "span_start", "finding_text", "document_sha256"):
            batch.drop_column(column)
    with op.batch_alter_table("document_units") as batch:
        batch.drop_column("pages")
    for table in ("legal_refs", "dates", "findings"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("page")
