"""Trigram indexes for the accounts search (`q`): `name ILIKE %x%` and identifier prefix
search stay fast at 100k accounts. PostgreSQL only; other databases skip this migration."""
from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS account_name_upper_trgm ON accounts_account USING gin (UPPER(name) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS account_identifier_value_upper_trgm ON accounts_accountidentifier "
    "USING gin (UPPER(value) gin_trgm_ops)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS account_identifier_value_upper_trgm",
    "DROP INDEX IF EXISTS account_name_upper_trgm",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
