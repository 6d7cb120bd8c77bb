"""Trigram indexes behind crm.search: UPPER(name) of customers and UPPER(title) of deals,
the expressions Django's icontains / istartswith compare on PostgreSQL. PostgreSQL only
(pg_trgm ships with it and is a trusted extension); on SQLite, the development default,
these operations do nothing and the searches read the table."""

from django.db import migrations


class RunSQLOnPostgreSQL(migrations.RunSQL):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    dependencies = [("crm", "0006_deal_board_totals_indexes")]

    operations = [
        RunSQLOnPostgreSQL(
            "CREATE EXTENSION IF NOT EXISTS pg_trgm",
            reverse_sql=migrations.RunSQL.noop,  # other objects in the database may use it
        ),
        RunSQLOnPostgreSQL(
            "CREATE INDEX crm_customer_name_trgm_idx ON crm_customer "
            "USING gin (UPPER(name::text) gin_trgm_ops)",
            reverse_sql="DROP INDEX crm_customer_name_trgm_idx",
        ),
        RunSQLOnPostgreSQL(
            "CREATE INDEX crm_deal_title_trgm_idx ON crm_deal "
            "USING gin (UPPER(title::text) gin_trgm_ops)",
            reverse_sql="DROP INDEX crm_deal_title_trgm_idx",
        ),
    ]
