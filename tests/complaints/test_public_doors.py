"""The public doors (issue 9 item 4): reports per client address, the ALTCHA bot check and the honeypot.
Nobody is turned away by the bot check: a report without a proof is filed, marked, and sorted later."""

import ipaddress

import altcha
import pytest
from django.urls import reverse

from complaints.models import Report, ReportDraft
from complaints.selectors.cases import QueueFilters, case_queue
from tests.complaints.report_flow import URLS, fill_all
from tests.factories import ReportFactory, staff, valid_api_data

API = reverse("api:report_create")
CHALLENGE = reverse("complaints:report_bot_challenge")
V = Report.BotCheck


def solved_payload(client) -> str:
    """What the widget posts: a challenge from the page's endpoint, solved here as the browser's worker does."""
    response = client.get(CHALLENGE)
    assert response.status_code == 200 and "no-cache" in response["Cache-Control"]
    challenge = altcha.Challenge.from_dict(response.json())
    solution = altcha.solve_challenge(challenge)
    assert solution is not None
    return altcha.Payload(challenge, solution).to_base64()


def first_event_reason(report) -> str:
    return report.events.order_by("at", "id").first().data["bot_check"]


# --- The bot check --------------------------------------------------------------------------------------------


def test_a_report_from_the_api_is_filed_unverified(client, db):
    response = client.post(API, valid_api_data())
    assert response.status_code == 201, response.content
    report = Report.objects.get(tracking_code=response.json()["tracking_code"])
    assert report.bot_check == V.UNVERIFIED and first_event_reason(report) == "missing"


def test_an_api_client_that_solves_the_challenge_is_verified_once(client, db):
    payload = solved_payload(client)
    first = client.post(API, valid_api_data(altcha=payload))
    assert first.status_code == 201, first.content
    assert Report.objects.get(tracking_code=first.json()["tracking_code"]).bot_check == V.VERIFIED
    # The same proof cannot vouch for a second report.
    again = client.post(API, valid_api_data(altcha=payload))
    report = Report.objects.get(tracking_code=again.json()["tracking_code"])
    assert report.bot_check == V.UNVERIFIED and first_event_reason(report) == "reused"


def test_a_forged_payload_is_not_a_proof(client, db):
    payload = solved_payload(client)
    import base64
    import json

    data = json.loads(base64.b64decode(payload))
    data["challenge"]["parameters"]["cost"] = 1  # cheaper than what the server signed
    forged = base64.b64encode(json.dumps(data).encode()).decode()
    for bad in (forged, "not base64 at all", "e30=", "x" * 5000):
        response = client.post(API, valid_api_data(altcha=bad))
        assert response.status_code == 201
        report = Report.objects.get(tracking_code=response.json()["tracking_code"])
        assert report.bot_check == V.UNVERIFIED and first_event_reason(report) == "invalid"


def test_the_form_without_javascript_files_an_unverified_report(client, db):
    fill_all(client)
    response = client.post(URLS["check"])
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.bot_check == V.UNVERIFIED and first_event_reason(report) == "missing"


def test_the_form_with_a_solved_challenge_files_a_verified_report(client, db):
    fill_all(client)
    page = client.get(URLS["check"]).content.decode()
    assert "<altcha-widget" in page and CHALLENGE in page and "vendor/altcha/workers/pbkdf2" in page
    response = client.post(URLS["check"], {"altcha": solved_payload(client), "website": ""})
    assert response.status_code == 302
    assert Report.objects.get().bot_check == V.VERIFIED


def test_a_filled_honeypot_files_the_report_marked_as_likely_spam(client, db):
    fill_all(client)
    page = client.get(URLS["check"]).content.decode()
    # Hidden from people and screen readers, out of the tab order, never autofilled.
    assert 'aria-hidden="true"><label for="id_website">' in page
    assert 'name="website" id="id_website" value="" tabindex="-1" autocomplete="off"' in page
    response = client.post(
        URLS["check"], {"altcha": solved_payload(client), "website": "http://spam.example"}
    )
    assert response.status_code == 302  # nobody is turned away
    report = Report.objects.get()
    assert report.bot_check == V.SPAM and first_event_reason(report) == "honeypot"


# --- The queue ------------------------------------------------------------------------------------------------


@pytest.fixture
def officer(db):
    return staff("officer", "staf", ["35"])


def test_the_queue_puts_verified_reports_first_and_likely_spam_last(officer):
    spam = ReportFactory(bot_check=V.SPAM)
    unverified = ReportFactory(bot_check=V.UNVERIFIED)
    before = ReportFactory(bot_check=None)  # filed before the check existed
    verified = ReportFactory(bot_check=V.VERIFIED)
    for sort in ("oldest", "newest", "priority", "due"):
        got = [r.pk for r in case_queue(officer, QueueFilters(status="open", sort=sort))]
        assert got[:2] in ([before.pk, verified.pk], [verified.pk, before.pk]), sort
        assert got[2:] == [unverified.pk, spam.pk], sort
    # Within a group the chosen sort holds.
    newest = [r.pk for r in case_queue(officer, QueueFilters(status="open", sort="newest"))]
    assert newest[:2] == [verified.pk, before.pk]
    # Past triage a person has looked at the report: the mark no longer orders it.
    Report.objects.filter(pk__in=[spam.pk, unverified.pk]).update(status=Report.Status.INVESTIGATION)
    oldest = [r.pk for r in case_queue(officer, QueueFilters(status="open", sort="oldest"))]
    assert oldest == [spam.pk, unverified.pk, before.pk, verified.pk]


@pytest.mark.parametrize(
    "language,unverified,spam",
    [
        ("id", "belum diverifikasi oleh pemeriksaan bot", "kemungkinan spam"),
        ("en", "not verified by the bot check", "likely spam"),
    ],
)
def test_staff_see_the_mark_on_the_queue_and_the_case(client, officer, language, unverified, spam):
    client.force_login(officer)
    client.cookies["django_language"] = language
    plain = ReportFactory(bot_check=V.UNVERIFIED)
    junk = ReportFactory(bot_check=V.SPAM)
    fine = ReportFactory(bot_check=V.VERIFIED)
    queue = client.get(reverse("staff:home"), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert unverified in queue.lower() and spam in queue.lower()
    case = client.get(reverse("staff:case", args=[plain.pk]), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert 'id="bot-check-mark"' in case and unverified in case.lower()
    case = client.get(reverse("staff:case", args=[junk.pk]), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert spam in case.lower()
    case = client.get(reverse("staff:case", args=[fine.pk]), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert 'id="bot-check-mark"' not in case


# --- Reports per address --------------------------------------------------------------------------------------


def _api_from(client, remote, forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post(API, valid_api_data(), **extra)


def test_the_api_answers_429_past_the_limit_and_another_address_is_not_limited(client, db, settings):
    settings.POSKO_REPORT_LIMIT = 2
    settings.POSKO_PROXY_ADDRESSES = ()
    assert _api_from(client, "198.51.100.1").status_code == 201
    assert _api_from(client, "198.51.100.1").status_code == 201
    refused = _api_from(client, "198.51.100.1")
    assert refused.status_code == 429
    assert 3500 <= int(refused["Retry-After"]) <= 3601
    assert (
        "Too many reports" in refused.json()["detail"] or "Terlalu banyak laporan" in refused.json()["detail"]
    )
    assert Report.objects.count() == 2
    assert _api_from(client, "198.51.100.2").status_code == 201


def test_x_forwarded_for_from_a_client_that_is_not_a_proxy_is_ignored(client, db, settings):
    settings.POSKO_REPORT_LIMIT = 2
    settings.POSKO_PROXY_ADDRESSES = (ipaddress.ip_network("10.0.0.1/32"),)
    # A client connecting directly cannot pick a new address per report.
    for n in range(2):
        assert _api_from(client, "198.51.100.9", f"203.0.113.{n}").status_code == 201
    assert _api_from(client, "198.51.100.9", "203.0.113.99").status_code == 429
    # Behind the configured proxy, the forwarded address is the client: two people, two counts.
    for n in range(3):
        assert _api_from(client, "10.0.0.1", f"203.0.113.{n}").status_code == 201


def test_the_form_past_the_limit_answers_429_and_keeps_the_draft(client, db, settings):
    """GIVEN an address that filed its reports for the window WHEN it sends one more from the form THEN the
    check page answers 429 with the message in Indonesian, and the draft is untouched so it can be sent
    later (here: once the window has passed)."""
    settings.POSKO_REPORT_LIMIT = 1
    settings.POSKO_PROXY_ADDRESSES = ()
    assert _api_from(client, "127.0.0.1").status_code == 201
    fill_all(client)
    response = client.post(URLS["check"], REMOTE_ADDR="127.0.0.1")
    assert response.status_code == 429 and "Retry-After" in response
    page = response.content.decode()
    assert "Terlalu banyak laporan" in page and "tetap tersimpan" in page
    assert Report.objects.count() == 1 and ReportDraft.objects.count() == 1
    # The chronology typed is still on the page (the draft stays).
    assert ReportDraft.objects.get().data["incident"]["chronology"][0] in page.replace("&#x27;", "'")
    from tests.conftest import cache_clear

    cache_clear()  # the window has passed
    assert client.post(URLS["check"], REMOTE_ADDR="127.0.0.1").status_code == 302
    assert Report.objects.count() == 2 and ReportDraft.objects.count() == 0


def test_english_readers_get_the_limit_message_in_english(client, db, settings):
    settings.POSKO_REPORT_LIMIT = 1
    assert _api_from(client, "198.51.100.3").status_code == 201
    refused = client.post(API, valid_api_data(), REMOTE_ADDR="198.51.100.3", HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 429 and "Too many reports" in refused.json()["detail"]


def test_taking_a_slot_is_one_round_trip_to_redis_and_the_window_expires(db, settings, monkeypatch):
    """The count, its expiry and the window's end go to Redis as one script (bench/intake.py: a round trip
    less to wait for on every report; Django's cache API took three: SET NX, EXISTS, INCR)."""
    import redis
    from django.core.cache import cache

    from complaints.services import limits

    settings.POSKO_REPORT_LIMIT = 2
    sent = []
    original = redis.Redis.execute_command
    monkeypatch.setattr(
        redis.Redis,
        "execute_command",
        lambda self, *args, **kw: sent.append(args[0]) or original(self, *args, **kw),
    )
    limits.submission_slot_take(client="198.51.100.7")
    limits.submission_slot_take(client="198.51.100.7")
    assert sent == ["EVAL", "EVAL"]
    with pytest.raises(limits.SubmissionLimited) as refused:
        limits.submission_slot_take(client="198.51.100.7")
    assert 3500 <= refused.value.retry_after <= 3601
    monkeypatch.setattr(redis.Redis, "execute_command", original)
    key = cache.make_and_validate_key(limits._key("198.51.100.7"))
    ttl = cache._cache.get_client(key).ttl(key)
    assert 3500 <= ttl <= settings.POSKO_REPORT_LIMIT_WINDOW_SECONDS


def test_the_limit_holds_with_a_cache_other_than_redis(client, db, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.POSKO_REPORT_LIMIT = 1
    assert _api_from(client, "198.51.100.8").status_code == 201
    refused = _api_from(client, "198.51.100.8")
    assert refused.status_code == 429 and 3500 <= int(refused["Retry-After"]) <= 3601


def test_the_staff_api_lists_the_mark_in_the_queue_order(client, officer):
    from knox.models import AuthToken

    spam = ReportFactory(bot_check=V.SPAM)
    plain = ReportFactory(bot_check=V.UNVERIFIED)
    fine = ReportFactory(bot_check=V.VERIFIED)
    _row, key = AuthToken.objects.create(user=officer)
    results = client.get("/api/v1/cases/", HTTP_AUTHORIZATION=f"Token {key}").json()["results"]
    assert [(r["id"], r["bot_check"]) for r in results] == [
        (fine.pk, "verified"),
        (plain.pk, "unverified"),
        (spam.pk, "spam"),
    ]
