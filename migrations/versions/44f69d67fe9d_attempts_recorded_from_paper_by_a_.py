"""attempts recorded from paper by a teacher

In a class without enough phones, learners answer a printed quiz and their teacher records the
ticks. Such an attempt names the teacher who recorded it; an attempt made online names nobody.
When the teacher's account goes, the attempt stays the learner's and names nobody.

Revision ID: 44f69d67fe9d
Revises: 52ce82f2b339
Create Date: 2026-12-07 15:08:43.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '44f69d67fe9d'
down_revision = '52ce82f2b339'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('quiz_attempts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('recorded_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_quiz_attempts_recorded_by_id_users'), 'users', ['recorded_by_id'],
                                    ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('quiz_attempts', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_quiz_attempts_recorded_by_id_users'), type_='foreignkey')
        batch_op.drop_column('recorded_by_id')
