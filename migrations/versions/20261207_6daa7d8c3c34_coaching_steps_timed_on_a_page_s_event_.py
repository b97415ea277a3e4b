"""coaching steps timed on a page's event (a week before, the day after), and what an enrolment's messages may say

Revision ID: 6daa7d8c3c34
Revises: 2dfca8f81d8e
Create Date: 2026-12-07 17:34:14.088526

A step's anchor says what its delay counts from: the start of the enrolment (every step so far), or
an event (a fundraiser page's event day), which it may precede. The week-before and day-after emails
of a fundraiser page, queued by code until now, become the coaching sequence's last two steps, so
staff retime and edit them like the others. Existing enrolments carry on as they were (their
context is empty: the messages fall back to their general wording).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '6daa7d8c3c34'
down_revision = '2dfca8f81d8e'
branch_labels = None
depends_on = None

KEY = "fundraiser_page_coaching"
EVENT_STEPS = (("fundraiser_event_soon", -168), ("fundraiser_event_after", 24))
sequences = sa.table("sequences", sa.column("id"), sa.column("key"))
steps = sa.table(
    "sequence_steps",
    sa.column("sequence_id"), sa.column("position"), sa.column("delay_hours"), sa.column("template"),
    sa.column("purpose"), sa.column("skip_if", sa.JSON), sa.column("stop_if", sa.JSON), sa.column("anchor"),
)


def upgrade():
    with op.batch_alter_table('sequence_enrolments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('context', sa.JSON(), server_default='{}', nullable=False))

    with op.batch_alter_table('sequence_steps', schema=None) as batch_op:
        batch_op.add_column(sa.Column('anchor', sa.String(length=10), server_default='start', nullable=False))
        batch_op.drop_constraint(batch_op.f('ck_sequence_steps_delay_not_negative'), type_='check')
        batch_op.create_check_constraint(
            op.f('ck_sequence_steps_delay_not_negative'), "delay_hours >= 0 OR anchor = 'event'"
        )
        batch_op.create_check_constraint(op.f('ck_sequence_steps_anchor_known'), "anchor IN ('start', 'event')")

    connection = op.get_bind()
    sequence_id = connection.execute(sa.select(sequences.c.id).where(sequences.c.key == KEY)).scalar()
    if sequence_id is None:
        return
    last = connection.execute(
        sa.select(sa.func.max(steps.c.position)).where(steps.c.sequence_id == sequence_id)
    ).scalar() or 0
    connection.execute(steps.insert(), [
        {"sequence_id": sequence_id, "position": last + number, "delay_hours": hours, "template": template,
         "purpose": "fundraiser_tips", "skip_if": [], "stop_if": [], "anchor": "event"}
        for number, (template, hours) in enumerate(EVENT_STEPS, start=1)
    ])


def downgrade():
    connection = op.get_bind()
    connection.execute(steps.delete().where(steps.c.anchor == "event"))
    with op.batch_alter_table('sequence_steps', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_sequence_steps_anchor_known'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_sequence_steps_delay_not_negative'), type_='check')
        batch_op.create_check_constraint(op.f('ck_sequence_steps_delay_not_negative'), 'delay_hours >= 0')
        batch_op.drop_column('anchor')

    with op.batch_alter_table('sequence_enrolments', schema=None) as batch_op:
        batch_op.drop_column('context')
