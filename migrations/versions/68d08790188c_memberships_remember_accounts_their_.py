"""memberships remember accounts their class created

Revision ID: 68d08790188c
Revises: f07189b73c6c
Create Date: 2026-11-21 07:24:06.467442

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '68d08790188c'
down_revision = 'f07189b73c6c'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.add_column(sa.Column('created_here', sa.Boolean(), server_default=sa.false(), nullable=False))



def downgrade():
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.drop_column('created_here')

