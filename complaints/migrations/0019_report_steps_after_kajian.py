"""The steps after the kajian kept on the report, as triaged_at is (Report.decided_at, referral_sent_on,
agency_outcome_at), and in the stats indexes: the statistics read them there instead of joining the assessment
and referral tables. Filled from those tables for the cases decided or forwarded before."""

from django.conf import settings
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def steps_fill(apps, schema_editor):
    Report = apps.get_model("complaints", "Report")
    Assessment = apps.get_model("complaints", "Assessment")
    Referral = apps.get_model("complaints", "Referral")
    assessment = Assessment.objects.filter(report=OuterRef("pk"))
    referral = Referral.objects.filter(report=OuterRef("pk"))
    Report.objects.filter(pk__in=Assessment.objects.values("report")).update(
        decided_at=Subquery(assessment.values("decided_at")[:1])
    )
    Report.objects.filter(pk__in=Referral.objects.values("report")).update(
        referral_sent_on=Subquery(referral.values("sent_on")[:1]),
        agency_outcome_at=Subquery(referral.values("outcome_recorded_at")[:1]),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0018_search_jurisdiction_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="report",
            name="report_stats_province",
        ),
        migrations.RemoveIndex(
            model_name="report",
            name="report_stats_regency",
        ),
        migrations.AddField(
            model_name="report",
            name="agency_outcome_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="report",
            name="decided_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="report",
            name="referral_sent_on",
            field=models.DateField(blank=True, editable=False, null=True),
        ),
        migrations.AddIndex(
            model_name="report",
            index=models.Index(
                fields=["province_code", "status"],
                include=(
                    "id",
                    "election",
                    "created_at",
                    "due_on",
                    "triaged_at",
                    "registered_at",
                    "decided_at",
                    "referral_sent_on",
                    "agency_outcome_at",
                    "decision_extended",
                    "assigned_to",
                    "regency_code",
                ),
                name="report_stats_province",
            ),
        ),
        migrations.AddIndex(
            model_name="report",
            index=models.Index(
                fields=["regency_code", "status"],
                include=(
                    "id",
                    "election",
                    "created_at",
                    "due_on",
                    "triaged_at",
                    "registered_at",
                    "decided_at",
                    "referral_sent_on",
                    "agency_outcome_at",
                    "decision_extended",
                    "assigned_to",
                    "incident_region",
                ),
                name="report_stats_regency",
            ),
        ),
        # After the indexes: on a filled database the fill's UPDATE leaves deferred trigger events pending, and
        # PostgreSQL refuses CREATE INDEX on a table with pending trigger events in the same transaction.
        migrations.RunPython(steps_fill, migrations.RunPython.noop),
    ]
