from django.db import migrations


def load(apps, schema_editor):
    from complaints.reference import reference_data_load

    reference_data_load(apps.get_model("complaints", "Election"), apps.get_model("complaints", "ViolationCategory"))


class Migration(migrations.Migration):
    dependencies = [("complaints", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
