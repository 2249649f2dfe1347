"""lessons learners opened, and their tallies, for the item report

Until now Saring recorded only that a lesson was finished. A learner who finished a lesson opened it,
so the upgrade records an opening for every finished lesson, at the time it was finished, and counts
them into lesson_start_tallies; no other row changes, and a downgrade only drops the two tables.

Revision ID: 1b21ec9b4157
Revises: 44f69d67fe9d
Create Date: 2026-12-07 23:00:10.620623

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '1b21ec9b4157'
down_revision = '44f69d67fe9d'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('lesson_start_tallies',
    sa.Column('module_id', sa.String(length=64), nullable=False),
    sa.Column('lesson_id', sa.String(length=64), nullable=False),
    sa.Column('started', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('module_id', 'lesson_id', name=op.f('pk_lesson_start_tallies'))
    )
    op.create_table('lesson_starts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('module_id', sa.String(length=64), nullable=False),
    sa.Column('lesson_id', sa.String(length=64), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_lesson_starts_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lesson_starts')),
    sa.UniqueConstraint('user_id', 'module_id', 'lesson_id', name=op.f('uq_lesson_starts_user_id_module_id_lesson_id'))
    )
    with op.batch_alter_table('lesson_starts', schema=None) as batch_op:
        batch_op.create_index('ix_lesson_starts_module_id_lesson_id', ['module_id', 'lesson_id'], unique=False)
    op.execute("""INSERT INTO lesson_starts (user_id, module_id, lesson_id, started_at)
                  SELECT user_id, module_id, lesson_id, completed_at FROM lesson_progress""")
    op.execute("""INSERT INTO lesson_start_tallies (module_id, lesson_id, started)
                  SELECT module_id, lesson_id, count(*) FROM lesson_starts GROUP BY module_id, lesson_id""")


def downgrade():
    with op.batch_alter_table('lesson_starts', schema=None) as batch_op:
        batch_op.drop_index('ix_lesson_starts_module_id_lesson_id')

    op.drop_table('lesson_starts')
    op.drop_table('lesson_start_tallies')
