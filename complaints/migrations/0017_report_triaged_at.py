"""Report.triaged_at: the first move out of "received", kept on the report for the statistics' time to triage
(it was a join of every report with its timeline). Filled from the timeline for the reports moved before."""

from django.conf import settings
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def triaged_at_fill(apps, schema_editor):
    Report = apps.get_model("complaints", "Report")
    ReportEvent = apps.get_model("complaints", "ReportEvent")
    first_move = (
        ReportEvent.objects.filter(report=OuterRef("pk"), kind="transition", from_status="submitted")
        .order_by("at")
        .values("at")[:1]
    )
    Report.objects.exclude(status="submitted").update(triaged_at=Subquery(first_move))


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0016_queue_order_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="report",
            name="triaged_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        # Filled while the timeline's first-move index still helps.
        migrations.RunPython(triaged_at_fill, migrations.RunPython.noop),
        migrations.RemoveIndex(model_name="reportevent", name="event_first_move"),
        migrations.RemoveIndex(model_name="report", name="report_stats_province"),
        migrations.RemoveIndex(model_name="report", name="report_stats_regency"),
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
                    "decision_extended",
                    "assigned_to",
                    "incident_region",
                ),
                name="report_stats_regency",
            ),
        ),
    ]
