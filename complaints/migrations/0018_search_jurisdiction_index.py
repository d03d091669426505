"""The full-text index also holds the jurisdiction (province and kab/kota codes), so that a search for a rare
name in a coordinator's province is answered from one index.

With the tsvector alone, PostgreSQL combined it with the province index: it read the province's whole list of
reports (394,161 at 1,000,000 reports) to intersect it with the 1,786 matches of "Hendra Wijaya", 45-80 ms of a
55-90 ms query; from this index, 12 ms (bench/staff_queue.py, EXPLAIN ANALYZE, 2026-11-30). A multicolumn GIN
index answers conditions on any of its columns, so it replaces the tsvector-only index of migration 0004 for
searches without a jurisdiction too. btree_gin (a contrib extension shipped with PostgreSQL, trusted since
PostgreSQL 13, so the database's owner may create it) gives GIN its operator classes for plain text columns."""

from django.contrib.postgres.operations import BtreeGinExtension
from django.db import migrations

FORWARD = """
CREATE INDEX IF NOT EXISTS complaints_report_search_region_gin ON complaints_report
    USING gin (search, province_code, regency_code);
DROP INDEX IF EXISTS complaints_report_search_gin;
"""
BACKWARD = """
CREATE INDEX IF NOT EXISTS complaints_report_search_gin ON complaints_report USING gin (search);
DROP INDEX IF EXISTS complaints_report_search_region_gin;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("complaints", "0017_report_triaged_at")]
    operations = [
        BtreeGinExtension(),
        migrations.RunPython(forward, backward),
    ]
