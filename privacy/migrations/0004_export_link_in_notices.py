"""DAT-1: the export reminder and the contract notices that ask the customer to download its data before
the end now link the portal's export page ({{ export_url }}). Updates stored templates that still hold
the old sentence (an operator's other edits stay); reversible."""

from django.db import migrations

_KO_REMINDER = "ZIP 파일로 내려받을 수 있습니다."
_EN_REMINDER = "as a ZIP file from 'My data' in the customer portal."
REMINDER = {
    _KO_REMINDER: _KO_REMINDER + "{% if export_url %}\n내 데이터: {{ export_url }}{% endif %}",
    _EN_REMINDER: _EN_REMINDER + "{% if export_url %}\nMy data: {{ export_url }}{% endif %}",
}
CONTRACT = {
    "필요한 자료는 해지 전에 고객 포털의 데이터 내보내기에서 내려받아 두시기 바랍니다. ":
        "필요한 자료는 해지 전에 고객 포털의 데이터 내보내기에서 내려받아 두시기 바랍니다"
        "{% if export_url %}({{ export_url }}){% endif %}. ",
    "Please download the data you need from the customer portal (data export) before the ":
        "Please download the data you need from the customer portal (data export"
        "{% if export_url %}: {{ export_url }}{% endif %}) before the ",
}


def _apply(apps, forward):
    template = apps.get_model("messaging", "NoticeTemplate")
    for row in template.objects.all():
        pairs = REMINDER if row.event == "privacy.export_reminder" else CONTRACT
        body = row.body
        for old, new in pairs.items():
            if forward and "export_url" not in body:
                body = body.replace(old, new, 1)
            elif not forward:
                body = body.replace(new, old, 1)
        if body != row.body:
            row.body = body
            row.save(update_fields=["body"])


def forwards(apps, schema_editor):
    _apply(apps, True)


def backwards(apps, schema_editor):
    _apply(apps, False)


class Migration(migrations.Migration):

    dependencies = [
        ("privacy", "0003_retained_records_kept_in_place"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
