"""On PostgreSQL the database itself refuses to change or remove audit entries.

The ORM already refuses; this stops raw SQL from the application's role too (an injected
statement, a shell on the database with the application's credentials). A role that owns the
table could still drop the trigger: run the application as a role that does not own its
tables (docs/security.md), and let ``bluebox audit verify`` catch what remains.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION bluebox_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit entries are append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER core_auditentry_append_only
    BEFORE UPDATE OR DELETE ON core_auditentry
    FOR EACH ROW EXECUTE FUNCTION bluebox_audit_append_only();
CREATE TRIGGER core_auditentry_no_truncate
    BEFORE TRUNCATE ON core_auditentry
    FOR EACH STATEMENT EXECUTE FUNCTION bluebox_audit_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS core_auditentry_no_truncate ON core_auditentry;
DROP TRIGGER IF EXISTS core_auditentry_append_only ON core_auditentry;
DROP FUNCTION IF EXISTS bluebox_audit_append_only();
"""


def _run(sql: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("core", "0003_audit_key_epochs_and_signed_head")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
