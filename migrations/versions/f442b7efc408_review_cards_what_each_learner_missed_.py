"""review cards: what each learner missed, with its FSRS state and the day it is due

Every quiz question and check item a learner misses becomes a card that comes back on a later day,
and a module's first pass adds a few booster cards weeks later. The table starts empty: attempts
saved before it schedule nothing.

Revision ID: f442b7efc408
Revises: 8edd64118e33
Create Date: 2026-12-07 02:13:18.892095

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f442b7efc408'
down_revision = '8edd64118e33'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('review_cards',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('module_id', sa.String(length=64), nullable=False),
    sa.Column('ref', sa.String(length=64), nullable=False),
    sa.Column('state', sa.Integer(), nullable=False),
    sa.Column('step', sa.Integer(), nullable=True),
    sa.Column('stability', sa.Float(), nullable=True),
    sa.Column('difficulty', sa.Float(), nullable=True),
    sa.Column('due', sa.DateTime(), nullable=False),
    sa.Column('last_review', sa.DateTime(), nullable=True),
    sa.Column('reviews', sa.Integer(), nullable=False),
    sa.Column('last_key', sa.String(length=32), nullable=True),
    sa.Column('last_right', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_review_cards_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_cards')),
    sa.UniqueConstraint('user_id', 'kind', 'module_id', 'ref', name=op.f('uq_review_cards_user_id_kind_module_id_ref'))
    )
    with op.batch_alter_table('review_cards', schema=None) as batch_op:
        batch_op.create_index('ix_review_cards_user_due', ['user_id', 'due'], unique=False)



def downgrade():
    with op.batch_alter_table('review_cards', schema=None) as batch_op:
        batch_op.drop_index('ix_review_cards_user_due')

    op.drop_table('review_cards')
