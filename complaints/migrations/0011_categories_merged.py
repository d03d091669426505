from django.db import migrations


def forwards(apps, schema_editor):
    """Plain-language categories with examples and topics; the five near-duplicate pairs merged, their reports
    and assessments moved to the category that keeps both legal bases (complaints/reference.py)."""
    from complaints.reference import categories_merge, reference_data_load

    Category = apps.get_model("complaints", "ViolationCategory")
    reference_data_load(apps.get_model("complaints", "Election"), Category)
    categories_merge(
        Category,
        apps.get_model("complaints", "Report").categories.through,
        apps.get_model("complaints", "Assessment").categories.through,
    )


class Migration(migrations.Migration):
    dependencies = [("complaints", "0010_drafts_categories_sanctions")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
