"""the class report reads lesson progress from one index

A class's rows of lesson_progress lie scattered over the table (learners finish lessons at the
same time); with lesson and time in the index, the report reads a few index pages instead.

Revision ID: 47fda246f183
Revises: 51b6321b355c
Create Date: 2026-11-21 08:19:20.895975

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '47fda246f183'
down_revision = '51b6321b355c'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('lesson_progress', schema=None) as batch_op:
        batch_op.create_index('ix_lesson_progress_user_id_module_id',
                              ['user_id', 'module_id', 'lesson_id', 'completed_at'], unique=False)


def downgrade():
    with op.batch_alter_table('lesson_progress', schema=None) as batch_op:
        batch_op.drop_index('ix_lesson_progress_user_id_module_id')
