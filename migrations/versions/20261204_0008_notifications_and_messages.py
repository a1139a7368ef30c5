"""notifications (the outbox), messages between parent and advocate, how people are told, when a parent may be messaged

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 19:50:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

EVENTS = ("request_received", "request_closed", "offer_sent", "offer_reminder", "offer_declined", "offer_lapsed",
          "offer_accepted", "introduced", "vetting_decision", "checks_expiring", "new_message", "help_asked",
          "stalled_work", "daily_digest")
STATUSES = ("waiting", "held_for_digest", "sending", "handed_over", "delivered", "retrying", "failed",
            "unconfirmed", "cancelled", "in_digest")
WEEKDAY_DAYTIMES = 14043  # Monday to Friday, mornings and afternoons, in the 21-slot weekly grid


def _one_of(column, values):
    return column + " IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def upgrade() -> None:
    op.create_table(
        'notifications',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('idempotency_key', sa.String(length=200), nullable=False),
        sa.Column('event', sa.String(length=32), nullable=False),
        sa.Column('channel', sa.String(length=32), nullable=False),
        sa.Column('recipient_id', sa.Uuid(), nullable=True),
        sa.Column('request_id', sa.Uuid(), nullable=True),
        sa.Column('volunteer_id', sa.Uuid(), nullable=True),
        sa.Column('organisation_id', sa.Uuid(), nullable=True),
        sa.Column('to_parent', sa.Boolean(), nullable=False),
        sa.Column('status', sa.String(length=32), nullable=False),
        sa.Column('created_dt', sa.DateTime(timezone=True), nullable=False),
        sa.Column('not_before_dt', sa.DateTime(timezone=True), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('claimed_dt', sa.DateTime(timezone=True), nullable=True),
        sa.Column('sent_dt', sa.DateTime(timezone=True), nullable=True),
        sa.Column('problem', sa.String(length=300), nullable=False),
        sa.Column('provider_reference', sa.String(length=100), nullable=True),
        sa.Column('digest_id', sa.Uuid(), nullable=True),
        sa.CheckConstraint(_one_of('event', EVENTS), name=op.f('ck_notifications_event_allowed')),
        sa.CheckConstraint("channel IN ('email', 'text')", name=op.f('ck_notifications_channel_allowed')),
        sa.CheckConstraint(_one_of('status', STATUSES), name=op.f('ck_notifications_status_allowed')),
        sa.ForeignKeyConstraint(['recipient_id'], ['users.id'], name=op.f('fk_notifications_recipient_id_users'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['request_id'], ['support_requests.id'],
                                name=op.f('fk_notifications_request_id_support_requests'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['volunteer_id'], ['volunteer_profiles.id'],
                                name=op.f('fk_notifications_volunteer_id_volunteer_profiles'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'],
                                name=op.f('fk_notifications_organisation_id_organisations'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['digest_id'], ['notifications.id'], name=op.f('fk_notifications_digest_id_notifications'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications')),
        sa.UniqueConstraint('idempotency_key', name=op.f('uq_notifications_idempotency_key')),
    )
    for column in ('recipient_id', 'request_id', 'volunteer_id', 'organisation_id'):
        op.create_index(op.f(f'ix_notifications_{column}'), 'notifications', [column], unique=False)
    op.create_index('ix_notifications_status_not_before_dt', 'notifications', ['status', 'not_before_dt'], unique=False)

    op.create_table(
        'messages',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('match_id', sa.Uuid(), nullable=False),
        sa.Column('sender', sa.String(length=32), nullable=False),
        sa.Column('author_id', sa.Uuid(), nullable=True),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('asks_for_help', sa.Boolean(), nullable=False),
        sa.Column('sent_dt', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("sender IN ('parent', 'advocate')", name=op.f('ck_messages_sender_allowed')),
        sa.CheckConstraint('length(body) > 0 AND length(body) <= 2000', name=op.f('ck_messages_body_length')),
        sa.ForeignKeyConstraint(['match_id'], ['matches.id'], name=op.f('fk_messages_match_id_matches'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_messages_author_id_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_messages')),
    )
    op.create_index(op.f('ix_messages_match_id'), 'messages', ['match_id'], unique=False)
    op.create_index(op.f('ix_messages_sent_dt'), 'messages', ['sent_dt'], unique=False)

    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('phone', sa.String(length=32), nullable=True))
        batch.add_column(sa.Column('notify_by_email', sa.Boolean(), server_default=sa.true(), nullable=False))
        batch.add_column(sa.Column('notify_by_text', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch.add_column(sa.Column('daily_digest', sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table('safe_contacts') as batch:
        batch.add_column(sa.Column('message_times_mask', sa.Integer(),
                                   server_default=sa.text(str(WEEKDAY_DAYTIMES)), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('safe_contacts') as batch:
        batch.drop_column('message_times_mask')
    with op.batch_alter_table('users') as batch:
        batch.drop_column('daily_digest')
        batch.drop_column('notify_by_text')
        batch.drop_column('notify_by_email')
        batch.drop_column('phone')
    op.drop_index(op.f('ix_messages_sent_dt'), table_name='messages')
    op.drop_index(op.f('ix_messages_match_id'), table_name='messages')
    op.drop_table('messages')
    op.drop_index('ix_notifications_status_not_before_dt', table_name='notifications')
    for column in ('recipient_id', 'request_id', 'volunteer_id', 'organisation_id'):
        op.drop_index(op.f(f'ix_notifications_{column}'), table_name='notifications')
    op.drop_table('notifications')
