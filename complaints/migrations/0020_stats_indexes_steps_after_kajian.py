"""The stats indexes carry the steps after the kajian (0019): the later steps' medians and the decisions within
the deadline are read from the index alone. A migration of its own: in 0019's transaction the fill's UPDATE
leaves deferred trigger events pending, and PostgreSQL refuses CREATE INDEX on a table with pending trigger
events in the same transaction."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0019_report_steps_after_kajian"),
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
    ]
