"""Narrower concepts inside a taxonomy term (e.g. forms of hate under "hate")

Revision ID: 0005_taxonomy_narrower
Revises: 0004_webhooks
Create Date: 2026-12-02

"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_taxonomy_narrower"
down_revision = "0004_webhooks"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("taxonomy_term", schema=None) as batch_op:
        batch_op.add_column(sa.Column("narrower", sa.JSON(), nullable=False, server_default="[]"))


def downgrade() -> None:
    # Not in batch mode: recreating taxonomy_term on SQLite would trip practice_term's foreign
    # key; SQLite (3.35+) drops a column in place.
    op.drop_column("taxonomy_term", "narrower")
