"""The SLA notice templates (SLA-1, SLA-2, SLA-4, SLA-5), registered by ``sla.notices.register_templates``
into ``messaging.defaults.DEFAULT_TEMPLATES``. Idempotent: creates only the templates that are missing."""

from django.db import migrations


def create_templates(apps, schema_editor):
    from messaging.defaults import ensure_default_templates
    from sla.notices import register_templates

    register_templates()
    ensure_default_templates(apps.get_model("messaging", "NoticeTemplate"))


class Migration(migrations.Migration):

    dependencies = [
        ("sla", "0001_initial"),
        ("messaging", "0005_billing_templates"),
    ]

    operations = [
        migrations.RunPython(create_templates, migrations.RunPython.noop),
    ]
