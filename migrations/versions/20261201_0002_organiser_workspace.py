"""organiser workspace: matches wait for an organiser's introduction, references are dated, a volunteer's standing has a history, the matching data has a version

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 19:50:00
"""

import uuid

from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

MATCH_STATUSES_BEFORE = "'introduced', 'active', 'ended'"
MATCH_STATUSES_AFTER = "'awaiting_introduction', 'introduced', 'active', 'ended'"
VOLUNTEER_STATUSES_BEFORE = "'application_received', 'approved', 'inactive', 'rejected', 'withdrawn'"
VOLUNTEER_STATUSES_AFTER = "'application_received', 'approved', 'suspended', 'inactive', 'rejected', 'withdrawn'"


def reference_check(n: int) -> str:
    return (f"(reference_{n}_received_on IS NULL OR reference_{n}_requested_on IS NOT NULL) AND "
            f"(reference_{n}_verified_on IS NULL OR reference_{n}_received_on IS NOT NULL)")


def upgrade() -> None:
    op.create_table('matching_state',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.Column('generation', sa.String(length=32), nullable=False),
    sa.CheckConstraint('id = 1', name=op.f('ck_matching_state_one_row')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_matching_state'))
    )
    op.execute(f"INSERT INTO matching_state (id, version, generation) VALUES (1, 1, '{uuid.uuid4().hex}')")
    op.create_table('volunteer_status_changes',
    sa.Column('volunteer_id', sa.Uuid(), nullable=False),
    sa.Column('from_status', sa.String(length=32), nullable=True),
    sa.Column('to_status', sa.String(length=32), nullable=False),
    sa.Column('changed_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('changed_by_id', sa.Uuid(), nullable=True),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.CheckConstraint(f"to_status IN ({VOLUNTEER_STATUSES_AFTER})", name=op.f('ck_volunteer_status_changes_to_status_allowed')),
    sa.ForeignKeyConstraint(['changed_by_id'], ['users.id'], name=op.f('fk_volunteer_status_changes_changed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['volunteer_id'], ['volunteer_profiles.id'], name=op.f('fk_volunteer_status_changes_volunteer_id_volunteer_profiles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_volunteer_status_changes'))
    )
    with op.batch_alter_table('volunteer_status_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_volunteer_status_changes_volunteer_id'), ['volunteer_id'], unique=False)

    # Matches: accepted first, introduced by an organiser later. Existing ones were introduced when accepted.
    with op.batch_alter_table('matches', schema=None) as batch_op:
        batch_op.add_column(sa.Column('accepted_dt', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('introduced_by_id', sa.Uuid(), nullable=True))
    op.execute("UPDATE matches SET accepted_dt = introduced_dt")
    with op.batch_alter_table('matches', schema=None) as batch_op:
        batch_op.alter_column('accepted_dt', existing_type=sa.DateTime(timezone=True), nullable=False)
        batch_op.alter_column('introduced_dt', existing_type=sa.DateTime(timezone=True), nullable=True)
        batch_op.create_foreign_key(batch_op.f('fk_matches_introduced_by_id_users'), 'users', ['introduced_by_id'], ['id'], ondelete='SET NULL')
        batch_op.drop_constraint(batch_op.f('ck_matches_status_allowed'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_matches_status_allowed'), f"status IN ({MATCH_STATUSES_AFTER})")

    # Vetting: two dated references instead of a count; how far vetting is, is worked out, not stored.
    with op.batch_alter_table('vettings', schema=None) as batch_op:
        for n in (1, 2):
            for step in ('requested', 'received', 'verified'):
                batch_op.add_column(sa.Column(f'reference_{n}_{step}_on', sa.Date(), nullable=True))
    day = "DATE(created_dt)" if op.get_bind().dialect.name == "sqlite" else "CAST(created_dt AS DATE)"
    for n in (1, 2):
        op.execute(f"UPDATE vettings SET reference_{n}_requested_on = {day}, reference_{n}_received_on = {day}, "
                   f"reference_{n}_verified_on = {day} WHERE references_received >= {n}")
    with op.batch_alter_table('vettings', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_vettings_references_range'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_vettings_status_allowed'), type_='check')
        batch_op.drop_column('references_received')
        batch_op.drop_column('status')
        for n in (1, 2):
            batch_op.create_check_constraint(batch_op.f(f'ck_vettings_reference_{n}_in_order'), reference_check(n))

    with op.batch_alter_table('volunteer_profiles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('matching_version', sa.BigInteger(), server_default='0', nullable=False))
        batch_op.create_index(batch_op.f('ix_volunteer_profiles_matching_version'), ['matching_version'], unique=False)
        batch_op.drop_constraint(batch_op.f('ck_volunteer_profiles_status_allowed'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_volunteer_profiles_status_allowed'), f"status IN ({VOLUNTEER_STATUSES_AFTER})")


def downgrade() -> None:
    op.execute("UPDATE volunteer_profiles SET status = 'inactive' WHERE status = 'suspended'")
    with op.batch_alter_table('volunteer_profiles', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_volunteer_profiles_status_allowed'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_volunteer_profiles_status_allowed'), f"status IN ({VOLUNTEER_STATUSES_BEFORE})")
        batch_op.drop_index(batch_op.f('ix_volunteer_profiles_matching_version'))
        batch_op.drop_column('matching_version')

    with op.batch_alter_table('vettings', schema=None) as batch_op:
        for n in (1, 2):
            batch_op.drop_constraint(batch_op.f(f'ck_vettings_reference_{n}_in_order'), type_='check')
        batch_op.add_column(sa.Column('status', sa.String(length=32), server_default='not_started', nullable=False))
        batch_op.add_column(sa.Column('references_received', sa.Integer(), server_default='0', nullable=False))
    op.execute("UPDATE vettings SET references_received = "
               "(CASE WHEN reference_1_received_on IS NULL THEN 0 ELSE 1 END) + "
               "(CASE WHEN reference_2_received_on IS NULL THEN 0 ELSE 1 END)")
    op.execute("UPDATE vettings SET status = CASE WHEN dbs_checked_on IS NOT NULL AND training_completed_on IS NOT NULL "
               "THEN 'complete' WHEN dbs_checked_on IS NOT NULL OR training_completed_on IS NOT NULL "
               "THEN 'in_progress' ELSE 'not_started' END")
    with op.batch_alter_table('vettings', schema=None) as batch_op:
        batch_op.create_check_constraint(batch_op.f('ck_vettings_status_allowed'), "status IN ('not_started', 'in_progress', 'complete', 'expired')")
        batch_op.create_check_constraint(batch_op.f('ck_vettings_references_range'), 'references_received >= 0 AND references_received <= 5')
        for n in (2, 1):
            for step in ('verified', 'received', 'requested'):
                batch_op.drop_column(f'reference_{n}_{step}_on')

    op.execute("UPDATE matches SET introduced_dt = accepted_dt, status = 'introduced' WHERE status = 'awaiting_introduction'")
    op.execute("UPDATE matches SET introduced_dt = accepted_dt WHERE introduced_dt IS NULL")
    with op.batch_alter_table('matches', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_matches_status_allowed'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_matches_status_allowed'), f"status IN ({MATCH_STATUSES_BEFORE})")
        batch_op.drop_constraint(batch_op.f('fk_matches_introduced_by_id_users'), type_='foreignkey')
        batch_op.alter_column('introduced_dt', existing_type=sa.DateTime(timezone=True), nullable=False)
        batch_op.drop_column('introduced_by_id')
        batch_op.drop_column('accepted_dt')

    with op.batch_alter_table('volunteer_status_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_volunteer_status_changes_volunteer_id'))
    op.drop_table('volunteer_status_changes')
    op.drop_table('matching_state')
