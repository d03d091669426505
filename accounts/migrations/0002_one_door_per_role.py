"""Issue 9: only the Admin role enters the admin, and nobody works as a superuser through a role.

Every user with a staff profile gets `is_staff` from their role (Admin only) and loses `is_superuser` (the
Admin role's permissions come from its group, set after every migrate by complaints.services.staff.roles_ensure).
Users without a profile (accounts made with createsuperuser) are left as they are.

The plain-text tokens of DRF's authtoken app are dropped: they were stored in clear and are replaced by
django-rest-knox's hashed, expiring tokens, which their owners make on their account page."""

from django.db import migrations


def forwards(apps, schema_editor):
    User = apps.get_model("auth", "User")
    StaffProfile = apps.get_model("complaints", "StaffProfile")
    admins = StaffProfile.objects.filter(role="admin").values_list("user_id", flat=True)
    others = StaffProfile.objects.exclude(role="admin").values_list("user_id", flat=True)
    User.objects.filter(pk__in=list(admins)).update(is_staff=True, is_superuser=False)
    User.objects.filter(pk__in=list(others)).update(is_staff=False, is_superuser=False)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("complaints", "0005_queue_indexes"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
        migrations.RunSQL("DROP TABLE IF EXISTS authtoken_token", migrations.RunSQL.noop),
    ]
