"""Notice templates for contract and terms events (MSG-1, CON-1..10, TRM-3, TRM-5).

Idempotent like 0002: creates only the templates that are missing, never touching
one that staff have edited.
"""

from django.db import migrations


def create_templates(apps, schema_editor):
    from messaging.defaults import ensure_default_templates

    ensure_default_templates(apps.get_model("messaging", "NoticeTemplate"))


class Migration(migrations.Migration):

    dependencies = [
        ("messaging", "0002_default_templates"),
    ]

    operations = [
        migrations.RunPython(create_templates, migrations.RunPython.noop),
    ]
