"""the item report counts lessons and first attempts from two indexes

The item report counts, for every lesson of the content, the learners who finished it, and finds
each learner's first attempt at each quiz. Without these indexes both read the whole of
lesson_progress and quiz_attempts (on 100,000 learners, seconds on SQLite); with them, index
ranges alone. No row changes.

Revision ID: 03a0a9be6a65
Revises: d6a4c42495a8
Create Date: 2026-12-07 01:02:44.209247

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '03a0a9be6a65'
down_revision = 'd6a4c42495a8'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('lesson_progress', schema=None) as batch_op:
        batch_op.create_index('ix_lesson_progress_module_id_lesson_id', ['module_id', 'lesson_id'], unique=False)
    with op.batch_alter_table('quiz_attempts', schema=None) as batch_op:
        batch_op.create_index('ix_quiz_attempts_module_id_user_id', ['module_id', 'user_id', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('quiz_attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_quiz_attempts_module_id_user_id')
    with op.batch_alter_table('lesson_progress', schema=None) as batch_op:
        batch_op.drop_index('ix_lesson_progress_module_id_lesson_id')
