"""learners' display names, as their teacher wrote them

Revision ID: f07189b73c6c
Revises: c1b7d8016248
Create Date: 2026-11-21 07:14:30.932746

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f07189b73c6c'
down_revision = 'c1b7d8016248'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('display_name', sa.String(length=80), nullable=True))



def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('display_name')

