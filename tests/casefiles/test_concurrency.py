"""Two (or eight) people issuing letters at the same moment, on real PostgreSQL: every letter gets its own
number, and the numbers have no gaps, even when one letter fails on the way."""

import threading

from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from casefiles.models import Letter, LetterCounter
from casefiles.pdf import Typesetter
from tests.casefiles.conftest import office_make, registered_case
from tests.factories import staff

PARALLEL = 8


def sequences(office) -> list[int]:
    return sorted(Letter.objects.filter(office=office, version=1).values_list("sequence", flat=True))


def issue_in_parallel(user, reports) -> dict:
    barrier = threading.Barrier(len(reports))
    answers = {}

    def post(report):
        try:
            client = Client()
            client.force_login(user)
            barrier.wait(timeout=30)
            response = client.post(
                reverse("staff:letter_issue", args=[report.pk]), {"kind": "pemberitahuan_registrasi"}
            )
            answers[report.pk] = response.status_code
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post, args=(r,)) for r in reports]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return answers


def test_parallel_requests_get_unique_gapless_numbers(transactional_db, ref_data):
    """GIVEN eight registered cases of one office and an officer with eight browser tabs
    WHEN a notice is issued in every tab at the same instant, each request on its own database connection
    THEN eight letters exist, numbered one after another without a gap or a duplicate."""
    assert connection.vendor == "postgresql"
    office = office_make()
    people = {"relawan": staff("relawan", "relawan", ["35"])}
    officer = staff("petugas", "staf", ["35.74"])
    reports = [registered_case(people) for _ in range(PARALLEL)]
    before = len(sequences(office))  # registration notices issued by the workflow's task
    answers = issue_in_parallel(officer, reports)
    assert sorted(answers.values()) == [302] * PARALLEL, answers
    numbers = sequences(office)
    assert len(numbers) == before + PARALLEL
    assert numbers == list(range(1, len(numbers) + 1))
    assert len(set(Letter.objects.filter(office=office).values_list("number", flat=True))) == len(numbers)
    assert LetterCounter.objects.get(office=office).last == len(numbers)


def test_a_letter_that_fails_gives_its_number_back(transactional_db, ref_data, monkeypatch):
    office = office_make()
    people = {"relawan": staff("relawan", "relawan", ["35"])}
    officer = staff("petugas", "staf", ["35.74"])
    reports = [registered_case(people) for _ in range(4)]
    before = len(sequences(office))
    real_pdf = Typesetter.pdf
    calls = {"n": 0}
    lock = threading.Lock()

    def sometimes_failing(self, template, data, *, when):
        with lock:
            calls["n"] += 1
            fail = calls["n"] == 2
        if fail:
            raise RuntimeError("typesetting failed")
        return real_pdf(self, template, data, when=when)

    monkeypatch.setattr(Typesetter, "pdf", sometimes_failing)
    client = Client(raise_request_exception=False)
    client.force_login(officer)
    codes = [
        client.post(
            reverse("staff:letter_issue", args=[r.pk]), {"kind": "pemberitahuan_registrasi"}
        ).status_code
        for r in reports
    ]
    assert codes.count(302) == 3 and codes.count(500) == 1
    numbers = sequences(office)
    assert numbers == list(range(1, before + 4))
    assert LetterCounter.objects.get(office=office).last == before + 3
