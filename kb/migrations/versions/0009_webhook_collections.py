"""webhooks follow the collections' log too: a second cursor per webhook

Revision ID: 0009_webhook_collections
Revises: 0008_page_edits
Create Date: 2026-12-02

"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_webhook_collections"
down_revision = "0008_page_edits"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("webhook", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("collection_cursor", sa.Integer(), nullable=False, server_default="0")
        )
    # A webhook receives the changes made after it was registered: existing ones start now.
    op.execute(
        "UPDATE webhook SET collection_cursor = "
        "(SELECT COALESCE(MAX(id), 0) FROM collection_revision)"
    )


def downgrade() -> None:
    with op.batch_alter_table("webhook", schema=None) as batch_op:
        batch_op.drop_column("collection_cursor")
