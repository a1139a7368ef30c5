"""audit events append-only: the database refuses to change or delete them

An UPDATE may only forget who acted or which organisation it was (``actor_id`` and
``organisation_id`` set to NULL), which is what the foreign keys do when an account is
erased or an organisation removed; nothing else about an event can change, and no
event can be deleted. SQLite's batch migrations rebuild a table without its triggers:
a later migration that rebuilds ``audit_events`` must create these again
(``tests/test_audit_log.py`` fails if they are missing).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 23:30:00
"""

from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

MESSAGE = "audit_events is append-only"
UNCHANGED = ("id", "occurred_dt", "actor_role", "action", "subject_type", "subject_id")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        changed = " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in UNCHANGED)
        op.execute(f"""
            CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF TG_OP <> 'UPDATE' THEN
                RAISE EXCEPTION '{MESSAGE}: % refused', TG_OP USING ERRCODE = 'restrict_violation';
              END IF;
              IF {changed} OR NEW.details::text IS DISTINCT FROM OLD.details::text
                 OR (NEW.actor_id IS DISTINCT FROM OLD.actor_id AND NEW.actor_id IS NOT NULL)
                 OR (NEW.organisation_id IS DISTINCT FROM OLD.organisation_id AND NEW.organisation_id IS NOT NULL)
              THEN
                RAISE EXCEPTION '{MESSAGE}: UPDATE refused' USING ERRCODE = 'restrict_violation';
              END IF;
              RETURN NEW;
            END $$""")
        op.execute("CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events "
                   "FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()")
        op.execute("CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events "
                   "FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()")
    else:
        changed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in (*UNCHANGED, "details"))
        op.execute(f"CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events "
                   f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}: DELETE refused'); END")
        op.execute(f"""CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
            WHEN {changed}
              OR (NEW.actor_id IS NOT OLD.actor_id AND NEW.actor_id IS NOT NULL)
              OR (NEW.organisation_id IS NOT OLD.organisation_id AND NEW.organisation_id IS NOT NULL)
            BEGIN SELECT RAISE(ABORT, '{MESSAGE}: UPDATE refused'); END""")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_events_no_truncate ON audit_events")
        op.execute("DROP TRIGGER audit_events_append_only ON audit_events")
        op.execute("DROP FUNCTION audit_events_append_only()")
    else:
        op.execute("DROP TRIGGER audit_events_no_update")
        op.execute("DROP TRIGGER audit_events_no_delete")
