"""each fundraiser page has its own coaching series: an enrolment may be about one thing (a page)

Revision ID: c02a7430cf8e
Revises: 6daa7d8c3c34
Create Date: 2026-12-07 20:48:19.185508

A person went through a sequence once; a fundraiser who started a second page (a birthday, then a
polar dip) got no coaching for it. An enrolment now says what it is about (subject_key, "" for once
per person) and is unique per sequence, person and subject. Existing coaching enrolments are given
the page they were started for (the page in their context, or else the person's first published
page), so hiding or closing that page pauses or stops them as before; nothing else about them changes.
Going back keeps the first enrolment (started first) of each person in a sequence and deletes the others.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c02a7430cf8e'
down_revision = '6daa7d8c3c34'
branch_labels = None
depends_on = None

KEY = "fundraiser_page_coaching"
SUBJECT = "fundraiser_page:"
sequences = sa.table("sequences", sa.column("id"), sa.column("key"))
enrolments = sa.table(
    "sequence_enrolments",
    sa.column("id"), sa.column("sequence_id"), sa.column("supporter_id"), sa.column("context", sa.JSON),
    sa.column("subject_key"), sa.column("started_at"),
)
pages = sa.table("fundraising_pages", sa.column("id"), sa.column("supporter_id"), sa.column("published_at"))


def upgrade():
    with op.batch_alter_table('sequence_enrolments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('subject_key', sa.String(length=80), server_default='', nullable=False))
        batch_op.drop_constraint(batch_op.f('uq_sequence_enrolments_person'), type_='unique')
        batch_op.create_unique_constraint(
            'uq_sequence_enrolments_person_subject', ['sequence_id', 'supporter_id', 'subject_key']
        )

    connection = op.get_bind()
    sequence_id = connection.execute(sa.select(sequences.c.id).where(sequences.c.key == KEY)).scalar()
    if sequence_id is None:
        return
    rows = connection.execute(
        sa.select(enrolments.c.id, enrolments.c.supporter_id, enrolments.c.context).where(
            enrolments.c.sequence_id == sequence_id
        )
    ).all()
    for enrolment_id, supporter_id, context in rows:
        page_id = (context or {}).get("page_id")
        if page_id is None:  # enrolled before the context was kept: the person's first page
            page_id = connection.execute(
                sa.select(pages.c.id)
                .where(pages.c.supporter_id == supporter_id, pages.c.published_at.is_not(None))
                .order_by(pages.c.published_at, pages.c.id)
                .limit(1)
            ).scalar()
        if page_id is not None:
            connection.execute(
                enrolments.update().where(enrolments.c.id == enrolment_id).values(subject_key=f"{SUBJECT}{page_id}")
            )


def downgrade():
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(enrolments.c.id, enrolments.c.sequence_id, enrolments.c.supporter_id).order_by(
            enrolments.c.started_at, enrolments.c.id
        )
    ).all()
    first, later = set(), []
    for enrolment_id, sequence_id, supporter_id in rows:
        if (sequence_id, supporter_id) in first:
            later.append(enrolment_id)
        first.add((sequence_id, supporter_id))
    if later:
        connection.execute(enrolments.delete().where(enrolments.c.id.in_(later)))
    with op.batch_alter_table('sequence_enrolments', schema=None) as batch_op:
        batch_op.drop_constraint('uq_sequence_enrolments_person_subject', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_sequence_enrolments_person'), ['sequence_id', 'supporter_id'])
        batch_op.drop_column('subject_key')
