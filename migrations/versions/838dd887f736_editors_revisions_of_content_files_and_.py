"""editors' revisions of content files and the live pointer

Every text an editor saves is a row of content_revisions; content_live says, per file, which revision
learners get. Both start empty: the files in lessons/ and quizzes/ are the content until a publish.

Revision ID: 838dd887f736
Revises: e51e83a887dc
Create Date: 2026-12-07 00:51:24.671558

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '838dd887f736'
down_revision = 'e51e83a887dc'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('content_revisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('path', sa.String(length=200), nullable=False),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('message', sa.String(length=200), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('base_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_content_revisions_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['base_id'], ['content_revisions.id'], name=op.f('fk_content_revisions_base_id_content_revisions'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_content_revisions'))
    )
    with op.batch_alter_table('content_revisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_content_revisions_author_id'), ['author_id'], unique=False)
        batch_op.create_index('ix_content_revisions_path_id', ['path', 'id'], unique=False)

    op.create_table('content_live',
    sa.Column('path', sa.String(length=200), nullable=False),
    sa.Column('revision_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['revision_id'], ['content_revisions.id'], name=op.f('fk_content_live_revision_id_content_revisions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('path', name=op.f('pk_content_live'))
    )


def downgrade():
    op.drop_table('content_live')
    with op.batch_alter_table('content_revisions', schema=None) as batch_op:
        batch_op.drop_index('ix_content_revisions_path_id')
        batch_op.drop_index(batch_op.f('ix_content_revisions_author_id'))

    op.drop_table('content_revisions')
