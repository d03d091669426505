"""Behind PgBouncer in transaction pooling, Django must not use server-side cursors (a named cursor outlives the
transaction whose server connection PgBouncer hands to someone else): DATABASE_DISABLE_SERVER_SIDE_CURSORS=1
turns them off for .iterator(), docs/scaling.md."""

import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT, database_url_for_subprocess

# Half-way through an .iterator(), how many cursors does the server hold open for this session?
PROBE = """
import django
django.setup()
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
with transaction.atomic():
    rows = ContentType.objects.all().iterator(chunk_size=1)
    next(rows)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_cursors")
        print(cursor.fetchone()[0])
"""


@pytest.mark.django_db
@pytest.mark.parametrize("value, expected", [("1", "0"), ("0", "1")])
def test_server_side_cursors_follow_the_setting(value, expected):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "posko.settings",
        "DATABASE_URL": database_url_for_subprocess(),
        "DATABASE_CONN_MAX_AGE": "0",
        "DATABASE_DISABLE_SERVER_SIDE_CURSORS": value,
    }
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == expected
