"""the coaching sequence of a fundraiser page that has just gone live (sequences: fundraiser_page_coaching)

Revision ID: c7a1f3e9d052
Revises: b438de4ddcfd
Create Date: 2026-12-07 08:00:00

Reference data, as DEFAULT_SEQUENCES in crm/mail/services/sequences.py has it; marketing may change it later.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c7a1f3e9d052'
down_revision = 'b438de4ddcfd'
branch_labels = None
depends_on = None

KEY = "fundraiser_page_coaching"
sequences = sa.table("sequences", sa.column("id"), sa.column("key"), sa.column("name"), sa.column("trigger"), sa.column("active"))
steps = sa.table(
    "sequence_steps",
    sa.column("sequence_id"), sa.column("position"), sa.column("delay_hours"), sa.column("template"),
    sa.column("purpose"), sa.column("skip_if", sa.JSON), sa.column("stop_if", sa.JSON),
)
enrolments = sa.table("sequence_enrolments", sa.column("sequence_id"))


def upgrade():
    connection = op.get_bind()
    if connection.execute(sa.select(sequences.c.id).where(sequences.c.key == KEY)).scalar() is not None:
        return
    connection.execute(sequences.insert().values(key=KEY, name="Fundraiser page: coaching", trigger="fundraiser_page_published", active=True))
    sequence_id = connection.execute(sa.select(sequences.c.id).where(sequences.c.key == KEY)).scalar_one()
    connection.execute(steps.insert(), [
        {"sequence_id": sequence_id, "position": 1, "delay_hours": 0, "template": "fundraiser_coaching_welcome", "purpose": "fundraiser_tips", "skip_if": [], "stop_if": []},
        {"sequence_id": sequence_id, "position": 2, "delay_hours": 72, "template": "fundraiser_coaching_first_gift", "purpose": "fundraiser_tips", "skip_if": [], "stop_if": []},
        {"sequence_id": sequence_id, "position": 3, "delay_hours": 168, "template": "fundraiser_coaching_share", "purpose": "fundraiser_tips", "skip_if": [], "stop_if": []},
    ])


def downgrade():
    connection = op.get_bind()
    sequence_id = connection.execute(sa.select(sequences.c.id).where(sequences.c.key == KEY)).scalar()
    if sequence_id is None:
        return
    connection.execute(enrolments.delete().where(enrolments.c.sequence_id == sequence_id))
    connection.execute(steps.delete().where(steps.c.sequence_id == sequence_id))
    connection.execute(sequences.delete().where(sequences.c.id == sequence_id))
