"""one answer per question of an attempt, held by the database

Saring never writes two answers to one question of an attempt; the database now refuses them too.
The unique index starts with attempt_id, so it also finds an attempt's answers and the index on
attempt_id alone goes. Every row is kept: should a database hold two answers to one question of an
attempt, the upgrade stops and says which attempts, and changes nothing.

Revision ID: e51e83a887dc
Revises: b92aedc4c469
Create Date: 2026-12-04 19:55:13.966549

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e51e83a887dc'
down_revision = 'b92aedc4c469'
branch_labels = None
depends_on = None


def upgrade():
    doubled = op.get_bind().execute(sa.text(
        "SELECT attempt_id FROM quiz_answers GROUP BY attempt_id, question_id HAVING count(*) > 1")).scalars().all()
    if doubled:
        raise RuntimeError(f"quiz_answers holds two answers to one question in attempts {sorted(set(doubled))}: "
                           "keep the right one of each pair, then upgrade again.")
    with op.batch_alter_table('quiz_answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quiz_answers_attempt_id'))
        batch_op.create_unique_constraint(batch_op.f('uq_quiz_answers_attempt_id_question_id'),
                                          ['attempt_id', 'question_id'])


def downgrade():
    with op.batch_alter_table('quiz_answers', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_quiz_answers_attempt_id_question_id'), type_='unique')
        batch_op.create_index(batch_op.f('ix_quiz_answers_attempt_id'), ['attempt_id'], unique=False)
