"""requests by organisation and status: one index for the triage list and the home page's counts

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 22:00:00
"""

from alembic import op


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_support_requests_organisation_id_status', 'support_requests',
                    ['organisation_id', 'status'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_support_requests_organisation_id_status', table_name='support_requests')
