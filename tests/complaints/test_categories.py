"""Violation categories: plain labels with examples, grouped; near-duplicates merged with both legal bases;
sanction levels and sub-levels (PP 94/2021 Pasal 8)."""

from django.urls import reverse

from complaints.models import Assessment, Report, SanctionDetail, ViolationCategory
from complaints.reference import CATEGORIES, MERGED, categories_merge
from tests.factories import ReportFactory, valid_api_data


def test_every_shipped_category_has_an_example_a_topic_and_no_near_duplicate(db):
    active = list(ViolationCategory.objects.filter(active=True))
    assert len(active) == len(CATEGORIES) == 17
    for category in active:
        assert category.example and category.example_en and category.topic, category.slug
    names = [c.name for c in active]
    assert len(names) == len(set(names))
    assert not ViolationCategory.objects.filter(slug__in=MERGED, active=True).exists()


def test_a_merged_category_keeps_both_legal_bases(db):
    merged = ViolationCategory.objects.get(slug="etik-foto-bersama")
    assert "PP 42/2004" in merged.legal_basis and "PP 94/2021" in merged.legal_basis
    assert merged.sanction == "berat"
    assert ViolationCategory.objects.get(slug="disiplin-foto-calon").merged_into == merged


def test_every_pp94_category_has_a_sanction_level(db):
    for category in ViolationCategory.objects.filter(active=True, legal_basis__contains="PP 94/2021"):
        assert category.sanction, category.slug


def test_sanction_details_belong_to_their_level():
    levels = {value for value, _label in ViolationCategory.Sanction.choices}
    for value, _label in SanctionDetail.choices:
        assert SanctionDetail.level_of(value) in levels, value
    assert [v for v, _l in SanctionDetail.choices if SanctionDetail.level_of(v) == "sedang"] == [
        "sedang_6",
        "sedang_9",
        "sedang_12",
    ]
    assert len([v for v, _l in SanctionDetail.choices if SanctionDetail.level_of(v) == "berat"]) == 3
    assert len([v for v, _l in SanctionDetail.choices if SanctionDetail.level_of(v) == "ringan"]) == 3


def test_the_merge_moves_reports_and_assessments_once(db):
    old = ViolationCategory.objects.get(slug="disiplin-foto-calon")
    new = ViolationCategory.objects.get(slug="etik-foto-bersama")
    only_old = ReportFactory(categories=[old])
    both = ReportFactory(categories=[old, new])
    assessment = Assessment.objects.create(report=only_old, findings="x", decision="violation")
    assessment.categories.set([old])
    moved = categories_merge(ViolationCategory, Report.categories.through, Assessment.categories.through)
    assert moved >= 2
    assert list(only_old.categories.values_list("slug", flat=True)) == ["etik-foto-bersama"]
    assert list(both.categories.values_list("slug", flat=True)) == ["etik-foto-bersama"]
    assert list(assessment.categories.values_list("slug", flat=True)) == ["etik-foto-bersama"]
    assert categories_merge(ViolationCategory, Report.categories.through, Assessment.categories.through) == 0


def test_the_api_still_accepts_a_merged_slug_as_its_new_category(client, db):
    response = client.post(
        reverse("api:report_create"),
        valid_api_data(categories=["disiplin-foto-calon", "etik-foto-bersama"], links=[]),
    )
    assert response.status_code == 201, response.content
    report = Report.objects.get()
    assert list(report.categories.values_list("slug", flat=True)) == ["etik-foto-bersama"]


def test_the_categories_api_lists_only_active_ones(client, db):
    slugs = {c["slug"] for c in client.get(reverse("api:categories")).json()}
    assert not slugs & set(MERGED)


def test_the_kajian_and_the_outcome_name_a_specific_sanction_through_the_case_page(client, db):
    """A staff officer records the kajian's recommended sanction as a sub-level on the case page, and the
    agency's outcome likewise; a sub-level of another level is refused with a message."""
    import datetime as dt

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from complaints.services import workflow
    from tests.factories import staff

    relawan, officer = staff("relawan", "relawan", ["35"]), staff("petugas", "staf", ["35.74"])
    report = ReportFactory()
    for user, to in ((relawan, "triage"), (relawan, "investigation"), (officer, "clarification")):
        workflow.case_transition(report=report, user=user, to_status=to)
    session = workflow.clarification_schedule(
        report=report,
        user=officer,
        scheduled_for=timezone.now() + dt.timedelta(days=1),
        place="Kantor Bawaslu",
        invite_terlapor=True,
        invite_reporter=False,
        witnesses="",
    )
    workflow.clarification_minutes(
        clarification=session,
        user=officer,
        minutes="Terlapor mengakui.",
        files=[SimpleUploadedFile("ba.pdf", b"%PDF-1.4 x", "application/pdf")],
    )
    workflow.case_transition(report=report, user=officer, to_status="assessment")
    client.force_login(officer)
    page = client.get(reverse("staff:case", args=[report.pk])).content.decode()
    assert 'name="recommended_sanction_detail"' in page and "sedang_9" in page
    url = reverse("staff:case_action", args=[report.pk, "assessment"])
    post = {
        "findings": "Terbukti.",
        "categories": ["etik-foto-bersama"],
        "legal_basis": "PP 94/2021",
        "recommended_sanction": "ringan",
        "recommended_sanction_detail": "sedang_9",
        "decision": "other_law",
    }
    client.post(url, post)
    assert not Assessment.objects.filter(report=report).exists()  # refused: sedang_9 is not "ringan"
    client.post(url, {**post, "recommended_sanction": ""})
    assessment = Assessment.objects.get(report=report)
    assert (assessment.recommended_sanction, assessment.recommended_sanction_detail) == ("sedang", "sedang_9")
    page = client.get(reverse("staff:case", args=[report.pk])).content.decode()
    assert "25 persen selama 9 bulan" in page
