"""sittings of the discernment check and their answers

A learner takes the check before the course and after it, on two parallel forms; each sitting keeps
its counts (hoaxes caught, genuine messages trusted) beside its answers, so reports read the counts.

Revision ID: 8edd64118e33
Revises: 03a0a9be6a65
Create Date: 2026-12-07 01:51:13.637344

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8edd64118e33'
down_revision = '03a0a9be6a65'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('check_sittings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('form_id', sa.String(length=8), nullable=False),
    sa.Column('phase', sa.String(length=8), nullable=False),
    sa.Column('lang', sa.String(length=5), nullable=False),
    sa.Column('submission_key', sa.String(length=32), nullable=False),
    sa.Column('caught', sa.Integer(), nullable=False),
    sa.Column('false_items', sa.Integer(), nullable=False),
    sa.Column('trusted', sa.Integer(), nullable=False),
    sa.Column('genuine_items', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_check_sittings_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_check_sittings')),
    sa.UniqueConstraint('user_id', 'submission_key', name=op.f('uq_check_sittings_user_id_submission_key'))
    )
    with op.batch_alter_table('check_sittings', schema=None) as batch_op:
        batch_op.create_index('ix_check_sittings_user_phase', ['user_id', 'phase'], unique=False)

    op.create_table('check_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sitting_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.String(length=64), nullable=False),
    sa.Column('said_false', sa.Boolean(), nullable=False),
    sa.Column('correct', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['sitting_id'], ['check_sittings.id'], name=op.f('fk_check_answers_sitting_id_check_sittings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_check_answers')),
    sa.UniqueConstraint('sitting_id', 'item_id', name=op.f('uq_check_answers_sitting_id_item_id'))
    )


def downgrade():
    op.drop_table('check_answers')
    with op.batch_alter_table('check_sittings', schema=None) as batch_op:
        batch_op.drop_index('ix_check_sittings_user_phase')

    op.drop_table('check_sittings')
