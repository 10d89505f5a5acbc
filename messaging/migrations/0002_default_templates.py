"""Built-in notice templates (MSG-1). Idempotent: creates only what is missing.

A capability that adds events appends to ``messaging.defaults.DEFAULT_TEMPLATES``
and adds a migration like this one calling ``ensure_default_templates``.
"""

from django.db import migrations


def create_templates(apps, schema_editor):
    from messaging.defaults import ensure_default_templates

    ensure_default_templates(apps.get_model("messaging", "NoticeTemplate"))


class Migration(migrations.Migration):

    dependencies = [
        ("messaging", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_templates, migrations.RunPython.noop),
    ]
