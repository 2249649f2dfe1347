"""limits on guessing counted in the database, where every worker sees them

Each place taken in a limit's moving window is a row under a digest of the limit's key (no address
or username is stored), until it expires. Counts made before this revision were in each process's
memory, so there is nothing to carry over.

Revision ID: b92aedc4c469
Revises: 821a2a151ef0
Create Date: 2026-12-04 19:23:05.645959

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b92aedc4c469'
down_revision = '821a2a151ef0'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('limit_hits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('expires_at', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_limit_hits'))
    )
    with op.batch_alter_table('limit_hits', schema=None) as batch_op:
        batch_op.create_index('ix_limit_hits_key_expires_at', ['key', 'expires_at'], unique=False)


def downgrade():
    with op.batch_alter_table('limit_hits', schema=None) as batch_op:
        batch_op.drop_index('ix_limit_hits_key_expires_at')

    op.drop_table('limit_hits')
