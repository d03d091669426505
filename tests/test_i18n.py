"""Every string in Indonesian and English: the catalogue has no untranslated or fuzzy message and its compiled
copy is current, and the public pages rendered in Indonesian carry no English words outside `lang="en"`."""

import re
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from complaints.models import Message, Report
from tests.complaints.report_flow import URLS, fill_all, post_step, send, step_data
from tests.factories import jpeg_bytes, valid_form_data
from tests.samples import jpeg_with_exif

CATALOGUE = Path(__file__).resolve().parent.parent / "locale" / "id" / "LC_MESSAGES" / "django.po"

# Words that are English and not Indonesian: any of them on an Indonesian page is a string that escaped
# translation (or was never marked for it).
ENGLISH = set(
    [
        "the",
        "and",
        "same",
        "file",
        "files",
        "link",
        "links",
        "report",
        "reports",
        "your",
        "you",
        "with",
        "of",
        "please",
        "send",
        "choose",
        "remove",
        "another",
        "step",
        "back",
        "save",
        "continue",
        "change",
        "problem",
        "required",
        "optional",
        "upload",
        "uploaded",
        "received",
        "evidence",
        "what",
        "when",
        "where",
        "who",
        "this",
        "that",
        "from",
        "by",
        "not",
        "are",
        "was",
        "were",
        "has",
        "have",
        "will",
        "can",
        "must",
        "only",
        "more",
        "here",
        "if",
        "an",
        "date",
        "name",
        "address",
        "phone",
        "place",
        "category",
        "categories",
        "other",
        "track",
        "tracking",
        "code",
        "kept",
        "attach",
        "attached",
        "check",
        "answers",
        "download",
        "print",
        "receipt",
        "deadline",
        "late",
        "anonymous",
        "anonymously",
        "identity",
        "terlapor's",
        "reported",
        "reporter's",
        "show",
        "shows",
        "election",
        "happened",
        "learned",
        "region",
        "next",
        "level",
        "load",
        "add",
        "new",
        "start",
        "again",
        "try",
        "yes",
        "no",
        "none",
    ]
)
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
_ATTRS = ("placeholder", "aria-label", "title", "alt")


class _Text(HTMLParser):
    """Visible text and the labels a screen reader reads, outside lang="en" parts, scripts and styles."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[bool] = []  # per open element: does it start a part to skip?
        self.skipping = 0
        self.words: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        skip = tag in ("script", "style") or (attrs.get("lang") or "").startswith("en")
        if not self.skipping and not skip:
            for name in _ATTRS:
                if attrs.get(name):
                    self.words.append(attrs[name])
        if tag in _VOID:
            return
        self.stack.append(skip)
        self.skipping += skip

    def handle_endtag(self, tag):
        if tag in _VOID or not self.stack:
            return
        self.skipping -= self.stack.pop()

    def handle_data(self, data):
        if not self.skipping:
            self.words.append(data)


def english_words(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    found = []
    for chunk in parser.words:
        for word in re.findall(r"[A-Za-z][A-Za-z']*", chunk):
            if word.lower() in ENGLISH:
                found.append(word)
    return found


def test_the_catalogue_has_no_untranslated_or_fuzzy_message():
    po = polib.pofile(str(CATALOGUE))
    untranslated = [e.msgid for e in po.untranslated_entries() if not e.obsolete]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert untranslated == [], untranslated
    assert fuzzy == [], fuzzy


def test_the_compiled_catalogue_matches_the_po_file():
    po = polib.pofile(str(CATALOGUE))
    mo = polib.mofile(str(CATALOGUE.with_suffix(".mo")))
    expected = {(e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural.get(0) for e in po if e.translated()}
    compiled = {(e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural.get(0) for e in mo if e.msgid}
    assert compiled == expected, (
        "run msgfmt -o locale/id/LC_MESSAGES/django.mo locale/id/LC_MESSAGES/django.po"
    )


def test_the_detector_finds_english_and_skips_lang_en_parts():
    html = '<p>Kirim <b>the</b> laporan</p><button lang="en">English report</button><script>var the;</script>'
    assert english_words(html) == ["the"]
    assert english_words('<input placeholder="Your name">') == ["Your", "name"]


def _pages(client) -> dict[str, str]:
    """Every public page a reporter meets, in Indonesian, in its plain and its error states."""
    pages = {}
    get = lambda name, url: pages.__setitem__(name, client.get(url).content.decode())  # noqa: E731
    get("home", reverse("complaints:home"))
    for step in ("about", "accused", "incident", "evidence"):
        get(f"{step} (empty)", URLS[step])
    # Each step with its error summary and messages.
    bad = valid_form_data(
        reporter_name="",
        reporter_nik="1",
        incident_region="35",
        chronology="pendek",
        **{"links-0-url": "x y"},
    )
    for step in ("about", "accused", "incident", "evidence"):
        data = step_data(step, bad)
        if step == "accused":
            data["accused-0-name"] = ""
        pages[f"{step} (errors)"] = client.post(URLS[step], data).content.decode()
    # Add another / remove rows, a photo with a location, a late report's warning.
    pages["accused (two)"] = client.post(
        URLS["accused"], {**step_data("accused"), "_action": "add-accused"}
    ).content.decode()
    gps = SimpleUploadedFile("lokasi.jpg", jpeg_with_exif(), "image/jpeg")
    other = Client()
    post_step(other, "about")
    pages["evidence (location)"] = other.post(
        URLS["evidence"],
        {**step_data("evidence"), "files": [gps, SimpleUploadedFile("b.jpg", jpeg_bytes(), "image/jpeg")]},
    ).content.decode()
    late = valid_form_data(incident_date="2024-11-01", known_date="2024-11-01")
    pages["incident (late)"] = post_step(client, "incident", late).content.decode()
    fill_all(client)
    get("check", URLS["check"])
    get("resume (missing)", reverse("complaints:report_resume") + "?kode=nope")
    receipt_url = send(client)["Location"]
    get("receipt", receipt_url)
    code = receipt_url.rstrip("/").rsplit("/", 1)[1]
    get("track", reverse("complaints:track"))
    pages["track (wrong)"] = client.post(
        reverse("complaints:track"), {"tracking_code": code, "pin": "000000"}
    ).content.decode()
    report = Report.objects.get(tracking_code=code)
    Message.objects.create(report=report, direction="out", body="Mohon kirim foto lain.", is_question=True)
    Report.objects.filter(pk=report.pk).update(status=Report.Status.NEEDS_INFO)
    from complaints.services import codes

    Report.objects.filter(pk=report.pk).update(pin_hash=codes.pin_hash("123456", report.pin_salt))
    pages["track result"] = client.post(
        reverse("complaints:track"), {"tracking_code": code, "pin": "123456"}
    ).content.decode()
    return pages


@pytest.mark.django_db
def test_the_public_pages_in_indonesian_carry_no_english_words(client):
    pages = _pages(client)
    assert (
        'id="location-warning"' in pages["evidence (location)"]
        or "location-warning" in pages["evidence (location)"]
    )
    assert "late-warning" in pages["incident (late)"]
    assert "reporter-messages" in pages["track result"]
    leaks = {name: english_words(html) for name, html in pages.items()}
    leaks = {name: words for name, words in leaks.items() if words}
    assert leaks == {}, leaks


def test_the_staff_case_page_names_duplicate_reasons_in_indonesian(client, db):
    from tests.factories import AccusedFactory, staff

    first, second = AccusedFactory(), AccusedFactory()
    assert first.person_id == second.person_id
    client.force_login(staff("petugas", "staf", ["35.74"]))
    html = client.get(reverse("staff:case", args=[first.report_id])).content.decode()
    assert "terlapor sama" in html
    assert "same terlapor" not in html
