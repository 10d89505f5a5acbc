"""Notice templates for change requests, succession and dormancy (MSG-1, ACC-8, ACC-9, ACC-10).

Idempotent like 0002/0003: creates only the templates that are missing, never touching
one that staff have edited.
"""

from django.db import migrations


def create_templates(apps, schema_editor):
    from messaging.defaults import ensure_default_templates

    ensure_default_templates(apps.get_model("messaging", "NoticeTemplate"))


class Migration(migrations.Migration):

    dependencies = [
        ("messaging", "0003_contract_templates"),
    ]

    operations = [
        migrations.RunPython(create_templates, migrations.RunPython.noop),
    ]
