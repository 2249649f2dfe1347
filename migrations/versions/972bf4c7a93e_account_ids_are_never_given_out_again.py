"""account ids are never given out again

A session names its account by id. Without AUTOINCREMENT, SQLite gives the highest id of a deleted
account to the next account made, and with it the deleted account's sessions on its other devices.
PostgreSQL's sequences never give an id twice, so only SQLite's table is rebuilt; it keeps every row
and counts on from the highest id.

Revision ID: 972bf4c7a93e
Revises: 47fda246f183
Create Date: 2026-11-21 09:24:18.570964

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '972bf4c7a93e'
down_revision = '47fda246f183'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == 'sqlite':
        with op.batch_alter_table('users', recreate='always', table_kwargs={'sqlite_autoincrement': True}):
            pass


def downgrade():
    if op.get_bind().dialect.name == 'sqlite':
        with op.batch_alter_table('users', recreate='always', table_kwargs={'sqlite_autoincrement': False}):
            pass
