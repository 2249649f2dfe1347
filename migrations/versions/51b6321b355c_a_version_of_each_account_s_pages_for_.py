"""a version of each account's pages, for keeping them rendered

Revision ID: 51b6321b355c
Revises: 68d08790188c
Create Date: 2026-11-21 08:09:09.700207

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '51b6321b355c'
down_revision = '68d08790188c'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pages_version', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('pages_version')
