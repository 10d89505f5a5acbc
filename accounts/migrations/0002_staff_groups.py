"""ACC-11: the operator staff groups. Permissions are re-synced after every migrate (post_migrate)."""

from django.db import migrations


def create_groups(apps, schema_editor):
    from accounts.staff import ensure_staff_groups

    ensure_staff_groups(apps=apps)


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(create_groups, migrations.RunPython.noop),
    ]
