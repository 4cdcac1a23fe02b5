"""The policy a project started with, once its policy can change

Revision ID: 0004
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Null means the project never adopted another policy: `policy` is still its first one.
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.add_column(sa.Column('initial_policy', sa.String(length=64), nullable=True))
        batch_op.create_foreign_key('projects_initial_policy', 'policies',
                                    ['initial_policy'], ['hash'])


def downgrade() -> None:
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.drop_constraint('projects_initial_policy', type_='foreignkey')
        batch_op.drop_column('initial_policy')
