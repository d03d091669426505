"""Default letter texts and form models: see casefiles/defaults.py for the texts and their sources."""

from django.db import migrations


def forwards(apps, schema_editor):
    from casefiles.defaults import defaults_load

    defaults_load(apps.get_model("casefiles", "LetterTemplate"), apps.get_model("casefiles", "FormModel"))


class Migration(migrations.Migration):
    dependencies = [("casefiles", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
