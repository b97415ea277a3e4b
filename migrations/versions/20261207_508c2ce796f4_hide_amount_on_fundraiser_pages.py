"""a donor may hide their gift's amount on a fundraiser page (a monthly gift: every invoice's)

Revision ID: 508c2ce796f4
Revises: c7a1f3e9d052
Create Date: 2026-12-07 09:59:07.528775

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '508c2ce796f4'
down_revision = 'c7a1f3e9d052'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('fundraising_page_gifts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hide_amount', sa.Boolean(), server_default=sa.false(), nullable=False))

    with op.batch_alter_table('fundraising_page_plans', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hide_amount', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('fundraising_page_plans', schema=None) as batch_op:
        batch_op.drop_column('hide_amount')

    with op.batch_alter_table('fundraising_page_gifts', schema=None) as batch_op:
        batch_op.drop_column('hide_amount')
