"""session version, so a password change ends other sessions

Revision ID: 1971937e9d78
Revises: 483a5cc9f29c
Create Date: 2026-11-21 06:22:36.120763

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '1971937e9d78'
down_revision = '483a5cc9f29c'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='0', nullable=False))



def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_version')

