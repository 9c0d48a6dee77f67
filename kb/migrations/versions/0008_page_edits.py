"""editorial pages edited through proposals: proposal.kind, page revisions

Revision ID: 0008_page_edits
Revises: 0007_moderation
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_page_edits"
down_revision = "0007_moderation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("proposal") as batch:
        batch.add_column(
            sa.Column("kind", sa.String(length=10), nullable=False, server_default="practice")
        )
    op.create_table(
        "page_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=120), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("proposal_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("slug", "version"),
    )
    op.create_index("ix_page_revision_slug", "page_revision", ["slug"])


def downgrade() -> None:
    op.drop_index("ix_page_revision_slug", table_name="page_revision")
    op.drop_table("page_revision")
    with op.batch_alter_table("proposal") as batch:
        batch.drop_column("kind")
