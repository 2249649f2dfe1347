"""the item report reads running totals kept with the attempts and lessons

Summing every learner's first attempts on each request took 2.4 to 3.4 s on SQLite and over half a
second on PostgreSQL at 100,000 learners. These tables keep the sums instead (saring/editing/tallies.py):
which attempt is each learner's first at a module, then per module, question, options chosen and
lesson what the item report shows. The upgrade fills them from the rows already there, with the
statements of saring.editing.tallies.recount(); no other row changes, and a downgrade only drops them.

Revision ID: 52ce82f2b339
Revises: f442b7efc408
Create Date: 2026-12-07 01:46:27.631234

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '52ce82f2b339'
down_revision = 'f442b7efc408'
branch_labels = None
depends_on = None

# As saring.editing.tallies.recount() on tables still empty: each learner's earliest attempt at a module
# is their first; right is 1 or 0 and rest the attempt's other questions right (score - right).
FILL = (
    """INSERT INTO first_attempts (user_id, module_id, attempt_id)
       SELECT user_id, module_id, min(id) FROM quiz_attempts GROUP BY user_id, module_id""",
    """INSERT INTO quiz_tallies (module_id, takers)
       SELECT module_id, count(*) FROM first_attempts GROUP BY module_id""",
    """INSERT INTO question_tallies (module_id, question_id, answers, right_answers, rest_sum, rest_sum_right,
                                    rest_squares)
       SELECT a.module_id, q.question_id, count(*), sum(q.is_right), sum(a.score - q.is_right),
              sum(q.is_right * (a.score - q.is_right)), sum((a.score - q.is_right) * (a.score - q.is_right))
       FROM first_attempts f
       JOIN quiz_attempts a ON a.id = f.attempt_id
       JOIN (SELECT attempt_id, question_id, CAST(correct AS INTEGER) AS is_right FROM quiz_answers) q
         ON q.attempt_id = a.id
       GROUP BY a.module_id, q.question_id""",
    """INSERT INTO choice_tallies (module_id, question_id, chosen, answers)
       SELECT a.module_id, q.question_id, q.chosen, count(*)
       FROM first_attempts f
       JOIN quiz_attempts a ON a.id = f.attempt_id
       JOIN quiz_answers q ON q.attempt_id = a.id
       GROUP BY a.module_id, q.question_id, q.chosen""",
    """INSERT INTO lesson_tallies (module_id, lesson_id, finished)
       SELECT module_id, lesson_id, count(*) FROM lesson_progress GROUP BY module_id, lesson_id""",
)


def upgrade():
    op.create_table('first_attempts',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('module_id', sa.String(length=64), nullable=False),
    sa.Column('attempt_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['attempt_id'], ['quiz_attempts.id'], name=op.f('fk_first_attempts_attempt_id_quiz_attempts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'module_id', name=op.f('pk_first_attempts')),
    sa.UniqueConstraint('attempt_id', name=op.f('uq_first_attempts_attempt_id'))
    )
    op.create_table('quiz_tallies',
    sa.Column('module_id', sa.String(length=64), nullable=False),
    sa.Column('takers', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('module_id', name=op.f('pk_quiz_tallies'))
    )
    op.create_table('question_tallies',
    sa.Column('module_id', sa.String(length=64), nullable=False),
    sa.Column('question_id', sa.String(length=64), nullable=False),
    sa.Column('answers', sa.Integer(), nullable=False),
    sa.Column('right_answers', sa.Integer(), nullable=False),
    sa.Column('rest_sum', sa.BigInteger(), nullable=False),
    sa.Column('rest_sum_right', sa.BigInteger(), nullable=False),
    sa.Column('rest_squares', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('module_id', 'question_id', name=op.f('pk_question_tallies'))
    )
    op.create_table('choice_tallies',
    sa.Column('module_id', sa.String(length=64), nullable=False),
    sa.Column('question_id', sa.String(length=64), nullable=False),
    sa.Column('chosen', sa.String(length=64), nullable=False),
    sa.Column('answers', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('module_id', 'question_id', 'chosen', name=op.f('pk_choice_tallies'))
    )
    op.create_table('lesson_tallies',
    sa.Column('module_id', sa.String(length=64), nullable=False),
    sa.Column('lesson_id', sa.String(length=64), nullable=False),
    sa.Column('finished', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('module_id', 'lesson_id', name=op.f('pk_lesson_tallies'))
    )
    for statement in FILL:
        op.execute(statement)


def downgrade():
    op.drop_table('lesson_tallies')
    op.drop_table('choice_tallies')
    op.drop_table('question_tallies')
    op.drop_table('quiz_tallies')
    op.drop_table('first_attempts')
