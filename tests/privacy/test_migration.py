"""Reports filed before identity was encrypted are encrypted by the data migration (complaints 0006)."""

from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from complaints.fields import identity_decrypt, identity_hash
from tests.factories import ReportFactory

BEFORE = ("complaints", "0005_queue_indexes")


def _raw(pk):
    with connection.cursor() as cur:
        cur.execute(
            "SELECT reporter_name, reporter_nik, reporter_email FROM complaints_report WHERE id = %s", [pk]
        )
        return cur.fetchone()


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target or executor.loader.graph.leaf_nodes())


def test_existing_plain_rows_are_encrypted_and_hashed_by_the_migration(ref_data):
    report = ReportFactory(reporter_nik="3574015203880007", reporter_email="siti@example.org")
    try:
        _migrate([BEFORE])  # back to the schema before issue 9: the values are plain text again
        assert _raw(report.pk) == ("Siti Aminah", "3574015203880007", "siti@example.org")
    finally:
        _migrate(None)
    name, nik, email = _raw(report.pk)
    assert "Siti" not in name and nik.startswith("gAAAAA")
    assert (identity_decrypt(name), identity_decrypt(nik), identity_decrypt(email)) == (
        "Siti Aminah",
        "3574015203880007",
        "siti@example.org",
    )
    with connection.cursor() as cur:
        cur.execute(
            "SELECT reporter_nik_hash, reporter_email_hash FROM complaints_report WHERE id = %s", [report.pk]
        )
        assert cur.fetchone() == (
            identity_hash("nik", "3574015203880007"),
            identity_hash("email", "siti@example.org"),
        )
