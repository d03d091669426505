"""Fixtures of the export tests: the office's key (a file of its own per test session), the four people of
every door (an officer, a volunteer of the same province, an officer of another province, a coordinator), and
a registered case."""

import pytest
from django.conf import settings as django_settings

from complaints.models import Report
from complaints.services import workflow
from exports.keys import key_new_pem
from tests.conftest import Worker, queues_purge
from tests.factories import AccusedFactory, ReportFactory, staff

S = Report.Status


@pytest.fixture(scope="session")
def export_key_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("export-key") / "posko-export-key.pem"
    path.write_bytes(key_new_pem())
    return path


@pytest.fixture(autouse=True)
def _export_key(settings, export_key_file):
    settings.POSKO_EXPORT_KEY = str(export_key_file)


@pytest.fixture
def people(db):
    return {
        "officer": staff("petugas", "staf", ["35.74"]),
        "volunteer": staff("relawan", "relawan", ["35"]),
        "outsider": staff("luar", "staf", ["31"]),
        "coordinator": staff("koordinator", "koordinator", ["35"]),
    }


@pytest.fixture
def case(people):
    report = ReportFactory(reporter_email="siti@example.org", reporter_nik="3574014107900003")
    AccusedFactory(report=report, nip="198001012005011002")
    workflow.case_transition(report=report, user=people["volunteer"], to_status=S.TRIAGE)
    return workflow.case_transition(report=report, user=people["volunteer"], to_status=S.INVESTIGATION)


@pytest.fixture
def export_worker(ref_data, settings, tmp_path, export_key_file):
    """A real Celery worker process, signing with the same key file as the test; it archives links (with a
    Chromium screenshot) from the local servers tests start."""
    if django_settings.CELERY_TASK_ALWAYS_EAGER:
        pytest.fail("CELERY_BROKER_URL is not set: run the suite with bin/test, which starts Redis")
    queues_purge()
    env = {
        "POSKO_EXPORT_KEY": str(export_key_file),
        "POSKO_ARCHIVE_LINKS": "1",
        "POSKO_ARCHIVE_ALLOW_PRIVATE": "1",
        "POSKO_ARCHIVE_SCREENSHOTS": "1",
        "POSKO_ARCHIVE_TIMEOUT_SECONDS": "10",
    }
    worker = Worker(settings.MEDIA_ROOT, tmp_path / "worker.log", env=env).start()
    yield worker
    worker.stop()
