"""The steps after the kajian kept on the report, as triaged_at is (Report.decided_at, referral_sent_on,
agency_outcome_at): the statistics read them from the report instead of joining the assessment and referral
tables. Filled from those tables for the cases decided or forwarded before; 0020 then rebuilds the stats
indexes with them (built after the fill, so the fill's row versions do not bloat them)."""

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
        migrations.RunPython(steps_fill, migrations.RunPython.noop),
    ]
