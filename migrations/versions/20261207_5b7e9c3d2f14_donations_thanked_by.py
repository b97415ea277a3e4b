"""who thanks the giver is chosen when a payment starts (donations.thanked_by)

Revision ID: 5b7e9c3d2f14
Revises: 8d2c4e1a7b90
Create Date: 2026-12-07 02:00:00

Gifts that paid a catalog order were thanked by the order's confirmation; they say so now.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5b7e9c3d2f14'
down_revision = '8d2c4e1a7b90'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('donations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('thanked_by', sa.String(length=20), server_default='payments', nullable=False))
        batch_op.create_check_constraint(
            batch_op.f('ck_donations_thanked_by_known'), "thanked_by IN ('payments', 'catalog')")
    op.execute("UPDATE donations SET thanked_by = 'catalog' WHERE id IN "
               "(SELECT donation_id FROM gift_orders WHERE donation_id IS NOT NULL)")


def downgrade():
    with op.batch_alter_table('donations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_donations_thanked_by_known'), type_='check')
        batch_op.drop_column('thanked_by')
