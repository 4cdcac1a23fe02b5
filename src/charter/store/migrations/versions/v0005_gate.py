"""The gate on pull requests: what each pull request's webhooks said, and checks per commit

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('pull_requests',
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('head', sa.String(length=40), nullable=False),
    sa.Column('open', sa.Boolean(), nullable=False),
    sa.Column('state', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], ),
    sa.PrimaryKeyConstraint('project_id', 'number')
    )
    with op.batch_alter_table('pull_requests', schema=None) as batch_op:
        batch_op.create_index('pull_requests_head', ['project_id', 'head'], unique=False)
    op.create_table('commit_checks',
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('sha', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('state', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], ),
    sa.PrimaryKeyConstraint('project_id', 'sha', 'name')
    )


def downgrade() -> None:
    op.drop_table('commit_checks')
    with op.batch_alter_table('pull_requests', schema=None) as batch_op:
        batch_op.drop_index('pull_requests_head')
    op.drop_table('pull_requests')
