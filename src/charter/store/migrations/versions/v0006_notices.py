"""Timer kinds (vote reminders, stale pull requests) and the issues Charter watches

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=40), nullable=False,
                                      server_default='deadline'))
    op.create_table('github_items',
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('pull_request', sa.Boolean(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('author', sa.String(length=100), nullable=False),
    sa.Column('open', sa.Boolean(), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('needs_triage', sa.Boolean(), nullable=False),
    sa.Column('last_activity_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('nudged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('stale_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], ),
    sa.PrimaryKeyConstraint('project_id', 'number')
    )
    with op.batch_alter_table('github_items', schema=None) as batch_op:
        batch_op.create_index('github_items_triage', ['project_id', 'needs_triage'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('github_items', schema=None) as batch_op:
        batch_op.drop_index('github_items_triage')
    op.drop_table('github_items')
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_column('kind')
