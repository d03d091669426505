"""Migration operations for large tables, used by the migrations that add indexes and fill copies on tables
that grow with every report (events, category rows): written so a deployment keeps taking reports while they
run (docs/production.md, Upgrades)."""

from django.db.migrations.operations import AddIndex

# Rows updated per statement when a migration fills a new column of a large table: each batch commits on its
# own (the migration is not atomic), so no lock is held on the table for the whole fill.
FILL_BATCH = 50_000


class AddIndexConcurrently(AddIndex):
    """AddIndex built with CREATE INDEX CONCURRENTLY on PostgreSQL, so inserts go on while it builds (a plain
    CREATE INDEX blocks them for the whole build); a plain index elsewhere (SQLite, the embedded default).
    django.contrib.postgres's own AddIndexConcurrently refuses other databases. The migration must not be
    atomic."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.add_index(model, self.index, concurrently=True)
        else:
            schema_editor.add_index(model, self.index)

    def describe(self):
        return f"{super().describe()} (concurrently on PostgreSQL)"


def fill_in_batches(schema_editor, table: str, sql: str) -> None:
    """Run `sql`, an UPDATE of `table` aliased as `t` with a WHERE clause ending in `AND`, over the rows of
    `table` FILL_BATCH ids at a time."""
    with schema_editor.connection.cursor() as cur:
        cur.execute(f"SELECT min(id), max(id) FROM {table}")  # noqa: S608 (a table name of the migration's)
        low, high = cur.fetchone()
    if low is None:
        return
    for start in range(low, high + 1, FILL_BATCH):
        with schema_editor.connection.cursor() as cur:
            cur.execute(f"{sql} t.id >= %s AND t.id < %s", [start, start + FILL_BATCH])
