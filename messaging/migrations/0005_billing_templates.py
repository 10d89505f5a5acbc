"""Notice templates for billing and restriction events (MSG-1, DUN-1..4, BIL-10, BIL-11, BIL-20, CON-13).

dunning.step / suspension_notice / resolved / paused / pause_cancelled, dispute.filed / extended /
decided / withdrawn, refund.requested / paid / cancelled, invoice.evasion_charged, and
contract.restricted / unrestricted. Idempotent like 0002-0004: creates only the templates that are
missing, never touching one that staff have edited.
"""

from django.db import migrations


def create_templates(apps, schema_editor):
    from messaging.defaults import ensure_default_templates

    ensure_default_templates(apps.get_model("messaging", "NoticeTemplate"))


class Migration(migrations.Migration):

    dependencies = [
        ("messaging", "0004_account_templates"),
    ]

    operations = [
        migrations.RunPython(create_templates, migrations.RunPython.noop),
    ]
