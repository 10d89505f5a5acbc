"""Issue 15: the built-in notice texts as customers should read them, in installed templates too
(``ensure_default_templates`` never touches an existing row). Mechanical rewrites that keep any staff
edit around them: amounts through ``|won`` (``330,000원`` / ``KRW 330,000`` by the notice's language),
months through ``|month`` (``2026년 11월``), and the seed article codes in three sentences named as
"약관 제N조". Only rows whose text still has the old form change."""

import re

from django.db import migrations

REWRITES = [
    (re.compile(r"\{\{ ([^{}]*?)\|intcomma \}\}원"), r"{{ \1|won }}"),
    (re.compile(r"KRW \{\{ ([^{}]*?)\|intcomma \}\}"), r"{{ \1|won }}"),
    (re.compile(r"\{\{ month \}\}"), "{{ month|month }}"),
    (re.compile(re.escape("(002 제19조 ④)")), "(약관 제19조 ④)"),
    (re.compile(re.escape("이용약관(001 제15조)에 따라")), "이용약관 제15조에 따라"),
    (re.compile(re.escape("the terms (001 art.15),")), "Article 15 of the terms,"),
]


def rewrite(text: str) -> str:
    for pattern, replacement in REWRITES:
        text = pattern.sub(replacement, text)
    return text


def forwards(apps, schema_editor):
    NoticeTemplate = apps.get_model("messaging", "NoticeTemplate")
    for template in NoticeTemplate.objects.all().only("pk", "subject", "body"):
        subject, body = rewrite(template.subject), rewrite(template.body)
        if (subject, body) != (template.subject, template.body):
            NoticeTemplate.objects.filter(pk=template.pk).update(subject=subject, body=body)


class Migration(migrations.Migration):

    dependencies = [
        ("messaging", "0009_history_recipients_and_notice_settings"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
