"""Report.categories gets its table as a model of its own (ReportCategory, the same complaints_report_categories
Django made for it: only the project's state changes, as Django's documentation does it for moving a
ManyToManyField to a `through` model), and the rows gain copies of their report's province, kab/kota, election
and time of receipt, written by a PostgreSQL trigger on insert. The rows written before are filled here in
batches, and the indexes are built after the fill, concurrently."""

import django.db.models.deletion
import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations, models

from complaints.migration_ops import AddIndexConcurrently, fill_in_batches


def copies_fill(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # the copies are PostgreSQL's (the trigger); elsewhere the statistics join the reports
    fill_in_batches(
        schema_editor,
        "complaints_report_categories",
        "UPDATE complaints_report_categories t SET province_code = r.province_code, "
        "regency_code = r.regency_code, report_election = r.election_id, report_created_at = r.created_at "
        "FROM complaints_report r WHERE r.id = t.report_id AND",
    )


class Migration(migrations.Migration):
    # Not one transaction, as 0022: intake goes on while the rows are filled and the indexes built.
    atomic = False

    dependencies = [
        ("complaints", "0022_event_region"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ReportCategory",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "report",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE, to="complaints.report"
                            ),
                        ),
                        (
                            "violationcategory",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE, to="complaints.violationcategory"
                            ),
                        ),
                    ],
                    options={
                        "db_table": "complaints_report_categories",
                        "unique_together": {("report", "violationcategory")},
                    },
                ),
                migrations.AlterField(
                    model_name="report",
                    name="categories",
                    field=models.ManyToManyField(
                        related_name="reports",
                        through="complaints.ReportCategory",
                        to="complaints.violationcategory",
                    ),
                ),
            ],
            database_operations=[],
        ),
        migrations.AddField(
            model_name="reportcategory",
            name="province_code",
            field=models.CharField(blank=True, default="", editable=False, max_length=2),
        ),
        migrations.AddField(
            model_name="reportcategory",
            name="regency_code",
            field=models.CharField(blank=True, default="", editable=False, max_length=5),
        ),
        migrations.AddField(
            model_name="reportcategory",
            name="report_election",
            field=models.BigIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="reportcategory",
            name="report_created_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="reportcategory",
            trigger=pgtrigger.compiler.Trigger(
                name="report_category_copy",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="IF EXISTS (SELECT 1 FROM complaints_report WHERE id = NEW.report_id) THEN SELECT province_code, regency_code, election_id, created_at INTO NEW.province_code, NEW.regency_code, NEW.report_election, NEW.report_created_at FROM complaints_report WHERE id = NEW.report_id; END IF; RETURN NEW;",
                    hash="24082888c9816e86ab3610aed6128a8332c01121",
                    operation="INSERT",
                    pgid="pgtrigger_report_category_copy_51b62",
                    table="complaints_report_categories",
                    when="BEFORE",
                ),
            ),
        ),
        migrations.RunPython(copies_fill, migrations.RunPython.noop),
        AddIndexConcurrently(
            model_name="reportcategory",
            index=models.Index(
                fields=["province_code"],
                include=("violationcategory", "report_election", "report_created_at"),
                name="report_category_province",
            ),
        ),
        AddIndexConcurrently(
            model_name="reportcategory",
            index=models.Index(
                fields=["regency_code"],
                include=("violationcategory", "report_election", "report_created_at"),
                name="report_category_regency",
            ),
        ),
    ]
