"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-23 11:56:35.431434
"""

from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('issue_types',
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_issue_types')),
    sa.UniqueConstraint('code', name=op.f('uq_issue_types_code'))
    )
    op.create_table('organisations',
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('contact_email', sa.String(length=254), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_dt', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisations')),
    sa.UniqueConstraint('name', name=op.f('uq_organisations_name')),
    sa.UniqueConstraint('slug', name=op.f('uq_organisations_slug'))
    )
    op.create_table('anonymised_request_counts',
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('organisation_id', sa.Uuid(), nullable=True),
    sa.Column('area_code', sa.String(length=80), nullable=False),
    sa.Column('main_issue_code', sa.String(length=64), nullable=False),
    sa.Column('final_status', sa.String(length=32), nullable=False),
    sa.Column('outcome', sa.String(length=32), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.CheckConstraint('count >= 0', name=op.f('ck_anonymised_request_counts_count_not_negative')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_anonymised_request_counts_organisation_id_organisations'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_anonymised_request_counts')),
    sa.UniqueConstraint('month', 'organisation_id', 'area_code', 'main_issue_code', 'final_status', 'outcome', name=op.f('uq_anonymised_request_counts_month_organisation_id_area_code_main_issue_code_final_status_outcome'))
    )
    op.create_table('areas',
    sa.Column('code', sa.String(length=80), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('organisation_id', sa.Uuid(), nullable=True),
    sa.Column('latitude', sa.Double(), nullable=True),
    sa.Column('longitude', sa.Double(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_areas_organisation_id_organisations'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_areas')),
    sa.UniqueConstraint('code', name=op.f('uq_areas_code'))
    )
    with op.batch_alter_table('areas', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_areas_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('users',
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('display_name', sa.String(length=100), nullable=False),
    sa.Column('organisation_id', sa.Uuid(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('last_sign_in_dt', sa.DateTime(timezone=True), nullable=True),
    sa.Column('session_token', sa.String(length=64), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_dt', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("role IN ('parent', 'volunteer', 'organiser', 'admin')", name=op.f('ck_users_role_allowed')),
    sa.CheckConstraint("role NOT IN ('organiser') OR organisation_id IS NOT NULL", name=op.f('ck_users_organiser_has_organisation')),
    sa.CheckConstraint('email = lower(email)', name=op.f('ck_users_email_lower_case')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_users_organisation_id_organisations'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email'))
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_users_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('area_outcodes',
    sa.Column('outcode', sa.String(length=8), nullable=False),
    sa.Column('area_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['areas.id'], name=op.f('fk_area_outcodes_area_id_areas'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('outcode', name=op.f('pk_area_outcodes'))
    )
    with op.batch_alter_table('area_outcodes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_area_outcodes_area_id'), ['area_id'], unique=False)

    op.create_table('audit_events',
    sa.Column('occurred_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Uuid(), nullable=True),
    sa.Column('actor_role', sa.String(length=32), nullable=True),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('subject_type', sa.String(length=64), nullable=False),
    sa.Column('subject_id', sa.String(length=64), nullable=True),
    sa.Column('organisation_id', sa.Uuid(), nullable=True),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_audit_events_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_audit_events_organisation_id_organisations'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events'))
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_events_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_events_occurred_dt'), ['occurred_dt'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_events_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index('ix_audit_events_subject', ['subject_type', 'subject_id'], unique=False)

    op.create_table('consent_records',
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('purpose', sa.String(length=64), nullable=False),
    sa.Column('privacy_notice_version', sa.String(length=32), nullable=False),
    sa.Column('given_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('withdrawn_dt', sa.DateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_consent_records_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consent_records'))
    )
    with op.batch_alter_table('consent_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consent_records_user_id'), ['user_id'], unique=False)

    op.create_table('scoring_model_versions',
    sa.Column('version', sa.String(length=64), nullable=False),
    sa.Column('trained_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('parameters', sa.JSON(), nullable=False),
    sa.Column('metrics', sa.JSON(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('activated_dt', sa.DateTime(timezone=True), nullable=True),
    sa.Column('activated_by_id', sa.Uuid(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['activated_by_id'], ['users.id'], name=op.f('fk_scoring_model_versions_activated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scoring_model_versions')),
    sa.UniqueConstraint('version', name=op.f('uq_scoring_model_versions_version'))
    )
    op.create_table('settings',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.JSON(), nullable=False),
    sa.Column('updated_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Uuid(), nullable=True),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_settings_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_settings'))
    )
    op.create_table('support_requests',
    sa.Column('reference', sa.String(length=16), nullable=False),
    sa.Column('parent_id', sa.Uuid(), nullable=True),
    sa.Column('organisation_id', sa.Uuid(), nullable=True),
    sa.Column('area_id', sa.Uuid(), nullable=True),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('outcode', sa.String(length=8), nullable=True),
    sa.Column('latitude', sa.Double(), nullable=True),
    sa.Column('longitude', sa.Double(), nullable=True),
    sa.Column('main_issue_id', sa.Uuid(), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('meeting_type', sa.String(length=32), nullable=True),
    sa.Column('meeting_date', sa.Date(), nullable=True),
    sa.Column('meeting_part', sa.Integer(), nullable=True),
    sa.Column('availability_mask', sa.Integer(), nullable=False),
    sa.Column('accepts_in_person', sa.Boolean(), nullable=False),
    sa.Column('accepts_phone', sa.Boolean(), nullable=False),
    sa.Column('accepts_video', sa.Boolean(), nullable=False),
    sa.Column('interpreter_ok', sa.Boolean(), nullable=False),
    sa.Column('advocate_gender', sa.String(length=32), nullable=True),
    sa.Column('draft_answers', sa.JSON(), nullable=False),
    sa.Column('submitted_dt', sa.DateTime(timezone=True), nullable=True),
    sa.Column('opened_dt', sa.DateTime(timezone=True), nullable=True),
    sa.Column('offered_dt', sa.DateTime(timezone=True), nullable=True),
    sa.Column('matched_dt', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_dt', sa.DateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_dt', sa.DateTime(timezone=True), nullable=True),
    sa.Column('outcome', sa.String(length=32), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_dt', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("advocate_gender IN ('woman', 'man', 'non_binary', 'prefer_not_to_say')", name=op.f('ck_support_requests_advocate_gender_allowed')),
    sa.CheckConstraint("meeting_type IN ('child_protection_conference', 'core_group', 'child_in_need_meeting', 'plo_meeting', 'court_hearing', 'family_group_conference', 'child_in_care_review', 'other')", name=op.f('ck_support_requests_meeting_type_allowed')),
    sa.CheckConstraint("status IN ('draft', 'submitted', 'open', 'offered', 'matched', 'closed', 'withdrawn', 'closed_unmatched')", name=op.f('ck_support_requests_status_allowed')),
    sa.CheckConstraint('availability_mask >= 0 AND availability_mask < 2097152', name=op.f('ck_support_requests_availability_21_slots')),
    sa.CheckConstraint('meeting_part IS NULL OR meeting_part IN (0, 1, 2)', name=op.f('ck_support_requests_meeting_part_allowed')),
    sa.ForeignKeyConstraint(['area_id'], ['areas.id'], name=op.f('fk_support_requests_area_id_areas'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['main_issue_id'], ['issue_types.id'], name=op.f('fk_support_requests_main_issue_id_issue_types'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_support_requests_organisation_id_organisations'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['parent_id'], ['users.id'], name=op.f('fk_support_requests_parent_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_support_requests')),
    sa.UniqueConstraint('reference', name=op.f('uq_support_requests_reference'))
    )
    with op.batch_alter_table('support_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_support_requests_area_id'), ['area_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_support_requests_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_support_requests_parent_id'), ['parent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_support_requests_status'), ['status'], unique=False)

    op.create_table('volunteer_profiles',
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('organisation_id', sa.Uuid(), nullable=False),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('gender', sa.String(length=32), nullable=True),
    sa.Column('home_outcode', sa.String(length=8), nullable=False),
    sa.Column('latitude', sa.Double(), nullable=True),
    sa.Column('longitude', sa.Double(), nullable=True),
    sa.Column('area_id', sa.Uuid(), nullable=True),
    sa.Column('travel_km', sa.Double(), nullable=False),
    sa.Column('network_wide', sa.Boolean(), nullable=False),
    sa.Column('offers_in_person', sa.Boolean(), nullable=False),
    sa.Column('offers_phone', sa.Boolean(), nullable=False),
    sa.Column('offers_video', sa.Boolean(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('active_match_count', sa.Integer(), nullable=False),
    sa.Column('availability_mask', sa.Integer(), nullable=False),
    sa.Column('introduction', sa.Text(), nullable=False),
    sa.Column('applied_dt', sa.DateTime(timezone=True), nullable=True),
    sa.Column('approved_dt', sa.DateTime(timezone=True), nullable=True),
    sa.Column('approved_by_id', sa.Uuid(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_dt', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("gender IN ('woman', 'man', 'non_binary', 'prefer_not_to_say')", name=op.f('ck_volunteer_profiles_gender_allowed')),
    sa.CheckConstraint("status IN ('application_received', 'approved', 'inactive', 'rejected', 'withdrawn')", name=op.f('ck_volunteer_profiles_status_allowed')),
    sa.CheckConstraint('active_match_count >= 0 AND active_match_count <= capacity', name=op.f('ck_volunteer_profiles_active_matches_within_capacity')),
    sa.CheckConstraint('availability_mask >= 0 AND availability_mask < 2097152', name=op.f('ck_volunteer_profiles_availability_21_slots')),
    sa.CheckConstraint('capacity >= 1 AND capacity <= 4', name=op.f('ck_volunteer_profiles_capacity_range')),
    sa.CheckConstraint('offers_in_person OR offers_phone OR offers_video', name=op.f('ck_volunteer_profiles_at_least_one_support_mode')),
    sa.CheckConstraint('travel_km >= 0 AND travel_km <= 200', name=op.f('ck_volunteer_profiles_travel_km_range')),
    sa.ForeignKeyConstraint(['approved_by_id'], ['users.id'], name=op.f('fk_volunteer_profiles_approved_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['area_id'], ['areas.id'], name=op.f('fk_volunteer_profiles_area_id_areas'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_volunteer_profiles_organisation_id_organisations'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_volunteer_profiles_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_volunteer_profiles')),
    sa.UniqueConstraint('user_id', name=op.f('uq_volunteer_profiles_user_id'))
    )
    with op.batch_alter_table('volunteer_profiles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_volunteer_profiles_area_id'), ['area_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_volunteer_profiles_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('conflicts_of_interest',
    sa.Column('request_id', sa.Uuid(), nullable=False),
    sa.Column('volunteer_id', sa.Uuid(), nullable=False),
    sa.Column('reason', sa.String(length=300), nullable=False),
    sa.Column('recorded_by_id', sa.Uuid(), nullable=True),
    sa.Column('recorded_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_conflicts_of_interest_recorded_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['request_id'], ['support_requests.id'], name=op.f('fk_conflicts_of_interest_request_id_support_requests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['volunteer_id'], ['volunteer_profiles.id'], name=op.f('fk_conflicts_of_interest_volunteer_id_volunteer_profiles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conflicts_of_interest')),
    sa.UniqueConstraint('request_id', 'volunteer_id', name=op.f('uq_conflicts_of_interest_request_id_volunteer_id'))
    )
    with op.batch_alter_table('conflicts_of_interest', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_conflicts_of_interest_request_id'), ['request_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_conflicts_of_interest_volunteer_id'), ['volunteer_id'], unique=False)

    op.create_table('offers',
    sa.Column('request_id', sa.Uuid(), nullable=False),
    sa.Column('volunteer_id', sa.Uuid(), nullable=False),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('score', sa.Double(), nullable=True),
    sa.Column('explanation', sa.JSON(), nullable=False),
    sa.Column('model_version', sa.String(length=64), nullable=True),
    sa.Column('proposed_by_id', sa.Uuid(), nullable=True),
    sa.Column('proposed_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('approved_by_id', sa.Uuid(), nullable=True),
    sa.Column('approved_dt', sa.DateTime(timezone=True), nullable=True),
    sa.Column('offered_dt', sa.DateTime(timezone=True), nullable=True),
    sa.Column('expires_dt', sa.DateTime(timezone=True), nullable=True),
    sa.Column('responded_dt', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decline_reason', sa.String(length=32), nullable=True),
    sa.Column('decline_note', sa.String(length=500), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_dt', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("decline_reason IN ('not_available', 'too_far', 'too_close_to_home', 'not_right_experience', 'personal', 'other')", name=op.f('ck_offers_decline_reason_allowed')),
    sa.CheckConstraint("status IN ('proposed', 'approved', 'offered', 'accepted', 'declined', 'lapsed', 'withdrawn')", name=op.f('ck_offers_status_allowed')),
    sa.CheckConstraint('score IS NULL OR (score >= 0 AND score <= 1)', name=op.f('ck_offers_score_range')),
    sa.ForeignKeyConstraint(['approved_by_id'], ['users.id'], name=op.f('fk_offers_approved_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['proposed_by_id'], ['users.id'], name=op.f('fk_offers_proposed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['request_id'], ['support_requests.id'], name=op.f('fk_offers_request_id_support_requests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['volunteer_id'], ['volunteer_profiles.id'], name=op.f('fk_offers_volunteer_id_volunteer_profiles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_offers'))
    )
    with op.batch_alter_table('offers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_offers_request_id'), ['request_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_offers_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_offers_volunteer_id'), ['volunteer_id'], unique=False)

    op.create_table('request_issue_types',
    sa.Column('request_id', sa.Uuid(), nullable=False),
    sa.Column('issue_type_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['issue_type_id'], ['issue_types.id'], name=op.f('fk_request_issue_types_issue_type_id_issue_types'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['request_id'], ['support_requests.id'], name=op.f('fk_request_issue_types_request_id_support_requests'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('request_id', 'issue_type_id', name=op.f('pk_request_issue_types'))
    )
    op.create_table('request_languages',
    sa.Column('request_id', sa.Uuid(), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['request_id'], ['support_requests.id'], name=op.f('fk_request_languages_request_id_support_requests'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('request_id', 'language', name=op.f('pk_request_languages'))
    )
    op.create_table('request_status_changes',
    sa.Column('request_id', sa.Uuid(), nullable=False),
    sa.Column('from_status', sa.String(length=32), nullable=True),
    sa.Column('to_status', sa.String(length=32), nullable=False),
    sa.Column('changed_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('changed_by_id', sa.Uuid(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.CheckConstraint("to_status IN ('draft', 'submitted', 'open', 'offered', 'matched', 'closed', 'withdrawn', 'closed_unmatched')", name=op.f('ck_request_status_changes_to_status_allowed')),
    sa.ForeignKeyConstraint(['changed_by_id'], ['users.id'], name=op.f('fk_request_status_changes_changed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['request_id'], ['support_requests.id'], name=op.f('fk_request_status_changes_request_id_support_requests'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_request_status_changes'))
    )
    with op.batch_alter_table('request_status_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_request_status_changes_request_id'), ['request_id'], unique=False)

    op.create_table('safe_contacts',
    sa.Column('request_id', sa.Uuid(), nullable=False),
    sa.Column('name_to_ask_for', sa.String(length=100), nullable=False),
    sa.Column('email_ok', sa.Boolean(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('phone_ok', sa.Boolean(), nullable=False),
    sa.Column('text_ok', sa.Boolean(), nullable=False),
    sa.Column('phone', sa.String(length=32), nullable=True),
    sa.Column('voicemail_ok', sa.Boolean(), nullable=False),
    sa.Column('safe_times', sa.String(length=300), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['request_id'], ['support_requests.id'], name=op.f('fk_safe_contacts_request_id_support_requests'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_safe_contacts')),
    sa.UniqueConstraint('request_id', name=op.f('uq_safe_contacts_request_id'))
    )
    op.create_table('vettings',
    sa.Column('volunteer_id', sa.Uuid(), nullable=False),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('dbs_checked_on', sa.Date(), nullable=True),
    sa.Column('dbs_expires_on', sa.Date(), nullable=True),
    sa.Column('dbs_certificate_ref', sa.String(length=32), nullable=True),
    sa.Column('training_completed_on', sa.Date(), nullable=True),
    sa.Column('references_received', sa.Integer(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Uuid(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_dt', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('not_started', 'in_progress', 'complete', 'expired')", name=op.f('ck_vettings_status_allowed')),
    sa.CheckConstraint('dbs_expires_on IS NULL OR dbs_checked_on IS NULL OR dbs_expires_on > dbs_checked_on', name=op.f('ck_vettings_dbs_expiry_after_check')),
    sa.CheckConstraint('references_received >= 0 AND references_received <= 5', name=op.f('ck_vettings_references_range')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_vettings_recorded_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['volunteer_id'], ['volunteer_profiles.id'], name=op.f('fk_vettings_volunteer_id_volunteer_profiles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vettings')),
    sa.UniqueConstraint('volunteer_id', name=op.f('uq_vettings_volunteer_id'))
    )
    op.create_table('volunteer_languages',
    sa.Column('volunteer_id', sa.Uuid(), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['volunteer_id'], ['volunteer_profiles.id'], name=op.f('fk_volunteer_languages_volunteer_id_volunteer_profiles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('volunteer_id', 'language', name=op.f('pk_volunteer_languages'))
    )
    op.create_table('volunteer_lived_experience',
    sa.Column('volunteer_id', sa.Uuid(), nullable=False),
    sa.Column('issue_type_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['issue_type_id'], ['issue_types.id'], name=op.f('fk_volunteer_lived_experience_issue_type_id_issue_types'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['volunteer_id'], ['volunteer_profiles.id'], name=op.f('fk_volunteer_lived_experience_volunteer_id_volunteer_profiles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('volunteer_id', 'issue_type_id', name=op.f('pk_volunteer_lived_experience'))
    )
    op.create_table('volunteer_opt_outs',
    sa.Column('volunteer_id', sa.Uuid(), nullable=False),
    sa.Column('issue_type_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['issue_type_id'], ['issue_types.id'], name=op.f('fk_volunteer_opt_outs_issue_type_id_issue_types'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['volunteer_id'], ['volunteer_profiles.id'], name=op.f('fk_volunteer_opt_outs_volunteer_id_volunteer_profiles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('volunteer_id', 'issue_type_id', name=op.f('pk_volunteer_opt_outs'))
    )
    op.create_table('volunteer_pauses',
    sa.Column('volunteer_id', sa.Uuid(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.CheckConstraint('ends_on >= starts_on', name=op.f('ck_volunteer_pauses_ends_after_start')),
    sa.ForeignKeyConstraint(['volunteer_id'], ['volunteer_profiles.id'], name=op.f('fk_volunteer_pauses_volunteer_id_volunteer_profiles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_volunteer_pauses'))
    )
    with op.batch_alter_table('volunteer_pauses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_volunteer_pauses_volunteer_id'), ['volunteer_id'], unique=False)

    op.create_table('matches',
    sa.Column('offer_id', sa.Uuid(), nullable=False),
    sa.Column('request_id', sa.Uuid(), nullable=False),
    sa.Column('volunteer_id', sa.Uuid(), nullable=False),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('introduced_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('activated_dt', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ended_dt', sa.DateTime(timezone=True), nullable=True),
    sa.Column('outcome', sa.String(length=32), nullable=True),
    sa.Column('outcome_note', sa.String(length=1000), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_dt', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("outcome IN ('supported_through_meeting', 'ongoing_need_referred', 'parent_stopped_contact', 'advocate_could_not_continue', 'concern_raised', 'other')", name=op.f('ck_matches_outcome_allowed')),
    sa.CheckConstraint("status IN ('introduced', 'active', 'ended')", name=op.f('ck_matches_status_allowed')),
    sa.ForeignKeyConstraint(['offer_id'], ['offers.id'], name=op.f('fk_matches_offer_id_offers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['request_id'], ['support_requests.id'], name=op.f('fk_matches_request_id_support_requests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['volunteer_id'], ['volunteer_profiles.id'], name=op.f('fk_matches_volunteer_id_volunteer_profiles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_matches')),
    sa.UniqueConstraint('offer_id', name=op.f('uq_matches_offer_id'))
    )
    with op.batch_alter_table('matches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_matches_request_id'), ['request_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_matches_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_matches_volunteer_id'), ['volunteer_id'], unique=False)

    op.create_table('offer_status_changes',
    sa.Column('offer_id', sa.Uuid(), nullable=False),
    sa.Column('from_status', sa.String(length=32), nullable=True),
    sa.Column('to_status', sa.String(length=32), nullable=False),
    sa.Column('changed_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('changed_by_id', sa.Uuid(), nullable=True),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.CheckConstraint("to_status IN ('proposed', 'approved', 'offered', 'accepted', 'declined', 'lapsed', 'withdrawn')", name=op.f('ck_offer_status_changes_to_status_allowed')),
    sa.ForeignKeyConstraint(['changed_by_id'], ['users.id'], name=op.f('fk_offer_status_changes_changed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['offer_id'], ['offers.id'], name=op.f('fk_offer_status_changes_offer_id_offers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_offer_status_changes'))
    )
    with op.batch_alter_table('offer_status_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_offer_status_changes_offer_id'), ['offer_id'], unique=False)

    op.create_table('contact_log_entries',
    sa.Column('match_id', sa.Uuid(), nullable=False),
    sa.Column('occurred_on', sa.Date(), nullable=False),
    sa.Column('mode', sa.String(length=32), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('recorded_by_id', sa.Uuid(), nullable=True),
    sa.Column('recorded_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.CheckConstraint("mode IN ('in_person', 'phone', 'video', 'text', 'email', 'meeting')", name=op.f('ck_contact_log_entries_mode_allowed')),
    sa.CheckConstraint('minutes > 0 AND minutes <= 1440', name=op.f('ck_contact_log_entries_minutes_range')),
    sa.ForeignKeyConstraint(['match_id'], ['matches.id'], name=op.f('fk_contact_log_entries_match_id_matches'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_contact_log_entries_recorded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contact_log_entries'))
    )
    with op.batch_alter_table('contact_log_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contact_log_entries_match_id'), ['match_id'], unique=False)

    op.create_table('feedback',
    sa.Column('match_id', sa.Uuid(), nullable=False),
    sa.Column('author', sa.String(length=32), nullable=False),
    sa.Column('rating', sa.Integer(), nullable=False),
    sa.Column('comments', sa.String(length=2000), nullable=False),
    sa.Column('given_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.CheckConstraint("author IN ('parent', 'volunteer')", name=op.f('ck_feedback_author_allowed')),
    sa.CheckConstraint('rating >= 1 AND rating <= 5', name=op.f('ck_feedback_rating_range')),
    sa.ForeignKeyConstraint(['match_id'], ['matches.id'], name=op.f('fk_feedback_match_id_matches'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback')),
    sa.UniqueConstraint('match_id', 'author', name=op.f('uq_feedback_match_id_author'))
    )
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_match_id'), ['match_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_match_id'))

    op.drop_table('feedback')
    with op.batch_alter_table('contact_log_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contact_log_entries_match_id'))

    op.drop_table('contact_log_entries')
    with op.batch_alter_table('offer_status_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_offer_status_changes_offer_id'))

    op.drop_table('offer_status_changes')
    with op.batch_alter_table('matches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_matches_volunteer_id'))
        batch_op.drop_index(batch_op.f('ix_matches_status'))
        batch_op.drop_index(batch_op.f('ix_matches_request_id'))

    op.drop_table('matches')
    with op.batch_alter_table('volunteer_pauses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_volunteer_pauses_volunteer_id'))

    op.drop_table('volunteer_pauses')
    op.drop_table('volunteer_opt_outs')
    op.drop_table('volunteer_lived_experience')
    op.drop_table('volunteer_languages')
    op.drop_table('vettings')
    op.drop_table('safe_contacts')
    with op.batch_alter_table('request_status_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_request_status_changes_request_id'))

    op.drop_table('request_status_changes')
    op.drop_table('request_languages')
    op.drop_table('request_issue_types')
    with op.batch_alter_table('offers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_offers_volunteer_id'))
        batch_op.drop_index(batch_op.f('ix_offers_status'))
        batch_op.drop_index(batch_op.f('ix_offers_request_id'))

    op.drop_table('offers')
    with op.batch_alter_table('conflicts_of_interest', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_conflicts_of_interest_volunteer_id'))
        batch_op.drop_index(batch_op.f('ix_conflicts_of_interest_request_id'))

    op.drop_table('conflicts_of_interest')
    with op.batch_alter_table('volunteer_profiles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_volunteer_profiles_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_volunteer_profiles_area_id'))

    op.drop_table('volunteer_profiles')
    with op.batch_alter_table('support_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_support_requests_status'))
        batch_op.drop_index(batch_op.f('ix_support_requests_parent_id'))
        batch_op.drop_index(batch_op.f('ix_support_requests_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_support_requests_area_id'))

    op.drop_table('support_requests')
    op.drop_table('settings')
    op.drop_table('scoring_model_versions')
    with op.batch_alter_table('consent_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consent_records_user_id'))

    op.drop_table('consent_records')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_events_subject')
        batch_op.drop_index(batch_op.f('ix_audit_events_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_audit_events_occurred_dt'))
        batch_op.drop_index(batch_op.f('ix_audit_events_actor_id'))

    op.drop_table('audit_events')
    with op.batch_alter_table('area_outcodes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_area_outcodes_area_id'))

    op.drop_table('area_outcodes')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_organisation_id'))

    op.drop_table('users')
    with op.batch_alter_table('areas', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_areas_organisation_id'))

    op.drop_table('areas')
    op.drop_table('anonymised_request_counts')
    op.drop_table('organisations')
    op.drop_table('issue_types')
