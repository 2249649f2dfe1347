"""an attempt keeps the version of the questions it answered

Editors can now change a quiz while learners hold results of it. Each attempt stores the quiz's
fingerprint, so its result page can say the questions changed since. Earlier attempts have none,
and their result pages say nothing.

Revision ID: d6a4c42495a8
Revises: 838dd887f736
Create Date: 2026-12-07 01:06:23.785551

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd6a4c42495a8'
down_revision = '838dd887f736'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('quiz_attempts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('quiz_version', sa.String(length=16), nullable=True))



def downgrade():
    with op.batch_alter_table('quiz_attempts', schema=None) as batch_op:
        batch_op.drop_column('quiz_version')

