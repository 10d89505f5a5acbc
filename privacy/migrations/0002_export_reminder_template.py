"""The DAT-1 export reminder notice template, registered by ``privacy.notices.register_templates`` into
``messaging.defaults.DEFAULT_TEMPLATES``. Idempotent: creates only the templates that are missing."""

from django.db import migrations


def create_templates(apps, schema_editor):
    from messaging.defaults import ensure_default_templates
    from privacy.notices import register_templates

    register_templates()
    ensure_default_templates(apps.get_model("messaging", "NoticeTemplate"))


class Migration(migrations.Migration):

    dependencies = [
        ("privacy", "0001_initial"),
        ("messaging", "0007_notice_channel_preferences"),
    ]

    operations = [
        migrations.RunPython(create_templates, migrations.RunPython.noop),
    ]
