"""bilingual practices: translated body, evaluation and lessons; French names; facts; dates

Revision ID: 0003_bilingual_practices
Revises: 0002_accounts
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_bilingual_practices"
down_revision = "0002_accounts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("practice", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("body_translation", sa.Text(), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("body_translation_text", sa.Text(), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("evaluation_translation", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("lessons_translation", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("lead_organisation_fr", sa.String(400), nullable=True))
        batch_op.add_column(
            sa.Column("partners_fr", sa.JSON(), nullable=False, server_default="[]")
        )
        batch_op.add_column(sa.Column("region_fr", sa.String(120), nullable=True))
        batch_op.add_column(sa.Column("contact_organisation_fr", sa.String(400), nullable=True))
        batch_op.add_column(sa.Column("facts", sa.JSON(), nullable=False, server_default="{}"))
        batch_op.add_column(sa.Column("checked_on", sa.String(10), nullable=True))
        batch_op.add_column(sa.Column("original_title_language", sa.String(8), nullable=True))
        batch_op.add_column(sa.Column("changed_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("source", schema=None) as batch_op:
        batch_op.add_column(sa.Column("note_fr", sa.String(300), nullable=True))
        batch_op.add_column(sa.Column("note_en", sa.String(300), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("source", schema=None) as batch_op:
        batch_op.drop_column("note_en")
        batch_op.drop_column("note_fr")
    with op.batch_alter_table("practice", schema=None) as batch_op:
        for name in (
            "original_title_language",
            "changed_at",
            "checked_on",
            "facts",
            "contact_organisation_fr",
            "region_fr",
            "partners_fr",
            "lead_organisation_fr",
            "lessons_translation",
            "evaluation_translation",
            "body_translation_text",
            "body_translation",
        ):
            batch_op.drop_column(name)
