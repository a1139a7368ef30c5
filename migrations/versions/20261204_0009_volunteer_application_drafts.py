"""volunteer application drafts: a volunteer's answers saved page by page until they send the application

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 20:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'volunteer_application_drafts',
        sa.Column('user_id', sa.Uuid(), nullable=False),
        sa.Column('answers', sa.JSON(), nullable=False),
        sa.Column('updated_dt', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_volunteer_application_drafts_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', name=op.f('pk_volunteer_application_drafts')),
    )


def downgrade() -> None:
    op.drop_table('volunteer_application_drafts')
