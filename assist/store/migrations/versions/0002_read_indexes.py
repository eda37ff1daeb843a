"""indexes for what the store reads: waits by end time, findings by conversation

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02

``waits.ended_at``: the board's per-minute wait chart and the all-agents stats read a
time range of waits, which scanned the whole table. ``findings.conversation_id``: a
conversation's detail and the QA rubric read findings by conversation, which scanned the
whole table; the index on ``findings.message_id`` that no query used goes, so the writer
keeps as many findings indexes as before.
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("waits", schema=None) as batch_op:
        batch_op.create_index("ix_waits_ended_at", ["ended_at"], unique=False)
    with op.batch_alter_table("findings", schema=None) as batch_op:
        batch_op.drop_index("ix_findings_message_id")
        batch_op.create_index(
            "ix_findings_conversation_at", ["conversation_id", "at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("findings", schema=None) as batch_op:
        batch_op.drop_index("ix_findings_conversation_at")
        batch_op.create_index("ix_findings_message_id", ["message_id"], unique=False)
    with op.batch_alter_table("waits", schema=None) as batch_op:
        batch_op.drop_index("ix_waits_ended_at")
