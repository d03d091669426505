"""Each event carries its report's province and kab/kota (ReportEvent.province_code, regency_code), copied by a
PostgreSQL trigger on insert, so the per-person statistics read a jurisdiction's events from their own index.
The events written before are filled here (PostgreSQL refuses UPDATE on events, so the append-only trigger is
ignored for this one statement, as the retention purge does), and the indexes are built after the fill."""

import pgtrigger
import pgtrigger.compiler
import pgtrigger.migrations
from django.conf import settings
from django.db import migrations, models


def regions_fill(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # the copies are PostgreSQL's (the trigger); elsewhere the statistics join the reports
    with (
        pgtrigger.ignore("complaints.ReportEvent:event_append_only"),
        schema_editor.connection.cursor() as cur,
    ):
        cur.execute(
            "UPDATE complaints_reportevent e SET province_code = r.province_code, regency_code = r.regency_code "
            "FROM complaints_report r WHERE r.id = e.report_id"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0021_queue_overdue_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="reportevent",
            name="province_code",
            field=models.CharField(blank=True, default="", editable=False, max_length=2),
        ),
        migrations.AddField(
            model_name="reportevent",
            name="regency_code",
            field=models.CharField(blank=True, default="", editable=False, max_length=5),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="reportevent",
            trigger=pgtrigger.compiler.Trigger(
                name="event_region_copy",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="SELECT province_code, regency_code INTO NEW.province_code, NEW.regency_code FROM complaints_report WHERE id = NEW.report_id; RETURN NEW;",
                    hash="2e64f88d17f20a1288521f5739677caf16c3f1dc",
                    operation="INSERT",
                    pgid="pgtrigger_event_region_copy_55801",
                    table="complaints_reportevent",
                    when="BEFORE",
                ),
            ),
        ),
        migrations.RunPython(regions_fill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="reportevent",
            index=models.Index(
                condition=models.Q(("actor__isnull", False)),
                fields=["province_code", "kind"],
                include=("actor", "from_status", "to_status", "at"),
                name="event_people_province",
            ),
        ),
        migrations.AddIndex(
            model_name="reportevent",
            index=models.Index(
                condition=models.Q(("actor__isnull", False)),
                fields=["regency_code", "kind"],
                include=("actor", "from_status", "to_status", "at"),
                name="event_people_regency",
            ),
        ),
    ]
