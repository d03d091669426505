"""Each event carries its report's province and kab/kota (ReportEvent.province_code, regency_code), copied by a
PostgreSQL trigger on insert, so the per-person statistics read a jurisdiction's events from their own index.
The events written before are filled here in batches (PostgreSQL refuses UPDATE on events, so the append-only
trigger is ignored for these statements, as the retention purge does), and the indexes are built after the fill."""

import pgtrigger
import pgtrigger.compiler
import pgtrigger.migrations
from django.conf import settings
from django.db import migrations, models

from complaints.migration_ops import AddIndexConcurrently, fill_in_batches


def regions_fill(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # the copies are PostgreSQL's (the trigger); elsewhere the statistics join the reports
    with pgtrigger.ignore("complaints.ReportEvent:event_append_only"):
        fill_in_batches(
            schema_editor,
            "complaints_reportevent",
            "UPDATE complaints_reportevent t SET province_code = r.province_code, regency_code = r.regency_code "
            "FROM complaints_report r WHERE r.id = t.report_id AND",
        )


class Migration(migrations.Migration):
    # Not one transaction: the new columns are added at once, the older events filled in batches that commit
    # on their own, and the indexes built concurrently, so intake goes on meanwhile (complaints.migration_ops).
    atomic = False

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
                    func="IF EXISTS (SELECT 1 FROM complaints_report WHERE id = NEW.report_id) THEN SELECT province_code, regency_code INTO NEW.province_code, NEW.regency_code FROM complaints_report WHERE id = NEW.report_id; END IF; RETURN NEW;",
                    hash="b15dd4cf7b2c7001a6a335959cc2c66760cb7955",
                    operation="INSERT",
                    pgid="pgtrigger_event_region_copy_55801",
                    table="complaints_reportevent",
                    when="BEFORE",
                ),
            ),
        ),
        migrations.RunPython(regions_fill, migrations.RunPython.noop),
        AddIndexConcurrently(
            model_name="reportevent",
            index=models.Index(
                condition=models.Q(("actor__isnull", False)),
                fields=["province_code", "kind"],
                include=("actor", "from_status", "to_status", "at"),
                name="event_people_province",
            ),
        ),
        AddIndexConcurrently(
            model_name="reportevent",
            index=models.Index(
                condition=models.Q(("actor__isnull", False)),
                fields=["regency_code", "kind"],
                include=("actor", "from_status", "to_status", "at"),
                name="event_people_regency",
            ),
        ),
    ]
