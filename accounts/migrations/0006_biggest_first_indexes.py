"""'Biggest first' sorts put unknown sizes last (DESC NULLS LAST), which a plain index cannot
serve on PostgreSQL. PostgreSQL only; SQLite cannot index NULLS LAST and does not need it."""
from django.db import migrations

FORWARD = [
    "CREATE INDEX IF NOT EXISTS account_ws_employees_desc ON accounts_account "
    "(workspace_id, employees DESC NULLS LAST)",
    "CREATE INDEX IF NOT EXISTS account_ws_revenue_desc ON accounts_account "
    "(workspace_id, annual_revenue DESC NULLS LAST)",
]
BACKWARD = ["DROP INDEX IF EXISTS account_ws_revenue_desc", "DROP INDEX IF EXISTS account_ws_employees_desc"]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("accounts", "0005_fewer_redundant_indexes")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
