"""photos are looked up by name each time one is shown: index fundraiser_pages.photo_name and campaigns.image_name

Revision ID: c9a8c44544ce
Revises: 714775fee010
Create Date: 2026-12-08 02:14:54.673744

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "c9a8c44544ce"
down_revision = "714775fee010"
branch_labels = None
depends_on = None


def upgrade():
    # A shown photo is looked up by its name (is its page public?), and with no-cache each time it is shown.
    op.create_index("ix_fundraising_campaigns_image_name", "fundraising_campaigns", ["image_name"], unique=False)
    op.create_index("ix_fundraising_pages_photo_name", "fundraising_pages", ["photo_name"], unique=False)


def downgrade():
    op.drop_index("ix_fundraising_pages_photo_name", table_name="fundraising_pages")
    op.drop_index("ix_fundraising_campaigns_image_name", table_name="fundraising_campaigns")
