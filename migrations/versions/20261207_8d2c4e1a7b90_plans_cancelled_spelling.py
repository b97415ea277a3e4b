"""monthly gifts say "cancelled", as every other table does

Revision ID: 8d2c4e1a7b90
Revises: 39f19ab82704
Create Date: 2026-12-07 01:45:00

Stripe's own statuses keep its spelling ("canceled"); ours is "cancelled" everywhere.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8d2c4e1a7b90'
down_revision = '39f19ab82704'
branch_labels = None
depends_on = None

OLD = "status IN ('incomplete', 'active', 'past_due', 'canceled')"
NEW = "status IN ('incomplete', 'active', 'past_due', 'cancelled')"


def _respell(before, after, constraint, old_column, new_column):
    with op.batch_alter_table('recurring_gifts', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_recurring_gifts_status_known'), type_='check')
    op.execute(sa.text("UPDATE recurring_gifts SET status = :after WHERE status = :before").bindparams(
        before=before, after=after))
    with op.batch_alter_table('recurring_gifts', schema=None) as batch_op:
        batch_op.alter_column(old_column, new_column_name=new_column)
        batch_op.create_check_constraint(batch_op.f('ck_recurring_gifts_status_known'), constraint)


def upgrade():
    _respell('canceled', 'cancelled', NEW, 'canceled_at', 'cancelled_at')


def downgrade():
    _respell('cancelled', 'canceled', OLD, 'cancelled_at', 'canceled_at')
