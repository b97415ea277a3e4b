"""a donor may let the fundraiser contact them: their page gift shares its email (a monthly gift: every invoice's)

Revision ID: 2dfca8f81d8e
Revises: 508c2ce796f4
Create Date: 2026-12-07 13:28:57.301515

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '2dfca8f81d8e'
down_revision = '508c2ce796f4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('fundraising_page_gifts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('share_email', sa.Boolean(), server_default=sa.false(), nullable=False))

    with op.batch_alter_table('fundraising_page_plans', schema=None) as batch_op:
        batch_op.add_column(sa.Column('share_email', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('fundraising_page_plans', schema=None) as batch_op:
        batch_op.drop_column('share_email')

    with op.batch_alter_table('fundraising_page_gifts', schema=None) as batch_op:
        batch_op.drop_column('share_email')
