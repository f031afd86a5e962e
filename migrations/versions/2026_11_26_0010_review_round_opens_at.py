"""review round opens_at: a draft round may be given a time at which the "review-open" job publishes it

Nullable: existing rounds (and rounds the facilitator publishes by hand) have none.

Revision ID: 0010_review_round_opens_at
Revises: 0009_directory_gram_person
Create Date: 2026-11-26 06:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0010_review_round_opens_at'
down_revision = '0009_directory_gram_person'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('review_round', schema=None) as batch_op:
        batch_op.add_column(sa.Column('opens_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('review_round', schema=None) as batch_op:
        batch_op.drop_column('opens_at')
