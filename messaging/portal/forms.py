"""Portal forms of the paid messaging product: plain Korean labels, rules checked by the services."""

from __future__ import annotations

import csv
import io
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import KakaoTemplate, MessageKind, NoticeCategory, SenderNumber
from ..services.preferences import CHOOSABLE
from ..services.sending import BulkRecipient

KIND_CHOICES = [
    ("text", _("문자 (길이에 따라 단문/장문)")),
    (MessageKind.ALIMTALK, _("알림톡")),
]
NUMBER_HEADERS = {"number", "phone", "수신번호", "전화번호", "휴대폰"}
MAX_CSV_BYTES = 5 * 1024 * 1024


class SendFieldsForm(forms.Form):
    kind = forms.ChoiceField(label=_("보낼 방법"), choices=KIND_CHOICES, initial="text")
    sender = forms.CharField(
        label=_("발신번호"),
        max_length=64,
        required=False,
        help_text=_("문자는 승인된 발신번호로만 보낼 수 있습니다."),
    )
    template = forms.ModelChoiceField(
        label=_("알림톡 템플릿"),
        queryset=KakaoTemplate.objects.none(),
        required=False,
        help_text=_("알림톡은 승인된 템플릿만 쓸 수 있습니다."),
    )
    subject = forms.CharField(label=_("제목 (장문만)"), max_length=120, required=False)
    text = forms.CharField(
        label=_("내용"), widget=forms.Textarea(attrs={"rows": 5}), required=False, strip=False
    )

    def __init__(self, *args: Any, customer: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = KakaoTemplate.objects.filter(  # type: ignore[attr-defined]
            customer=customer, status=KakaoTemplate.Status.APPROVED
        )

    def send_data(self) -> dict[str, Any]:
        """The form's values in the shape ``messaging.requests.send_fields`` reads."""
        data = self.cleaned_data
        template = data.get("template")
        return {
            "kind": data["kind"],
            "sender": data.get("sender") or "",
            "subject": data.get("subject") or "",
            "text": data.get("text") or ("" if template is None else None),
            "template_id": template.pk if template else None,
        }


class SendForm(SendFieldsForm):
    recipient = forms.CharField(label=_("받는 번호"), max_length=30)
    variables = forms.CharField(
        label=_("템플릿 변수"),
        required=False,
        help_text=_("한 줄에 하나씩 이름=값 (예: name=홍길동)"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_variables(self) -> dict[str, str]:
        values: dict[str, str] = {}
        for line in (self.cleaned_data.get("variables") or "").splitlines():
            if not line.strip():
                continue
            name, sep, value = line.partition("=")
            if not sep or not name.strip():
                raise forms.ValidationError(_("이름=값 형식으로 한 줄에 하나씩 적어 주세요."))
            values[name.strip()] = value.strip()
        return values


class BulkSendForm(SendFieldsForm):
    recipients_file = forms.FileField(
        label=_("수신자 파일 (CSV)"),
        help_text=_("첫 줄은 제목 줄: 수신번호 열(number 또는 수신번호)과 템플릿 변수 열. UTF-8 또는 CP949."),
    )

    def clean_recipients_file(self) -> list[BulkRecipient]:
        upload = self.cleaned_data["recipients_file"]
        if upload.size > MAX_CSV_BYTES:
            raise forms.ValidationError(_("파일이 너무 큽니다 (5MB 이하)."))
        return parse_recipients(upload.read())


def parse_recipients(raw: bytes) -> list[BulkRecipient]:
    """Recipients of a CSV upload: the number column, the other columns as template variables."""
    for encoding in ("utf-8-sig", "cp949"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise forms.ValidationError(_("파일을 읽을 수 없습니다. UTF-8 또는 CP949 CSV로 저장해 주세요."))
    rows = [row for row in csv.reader(io.StringIO(text)) if any(cell.strip() for cell in row)]
    if not rows:
        raise forms.ValidationError(_("파일에 수신자가 없습니다."))
    header = [cell.strip() for cell in rows[0]]
    column = next((i for i, name in enumerate(header) if name.lower() in NUMBER_HEADERS), None)
    if column is None:
        raise forms.ValidationError(_("첫 줄에 수신번호 열(number 또는 수신번호)이 있어야 합니다."))
    recipients = []
    for row in rows[1:]:
        cells = [cell.strip() for cell in row] + [""] * (len(header) - len(row))
        variables = {name: cells[i] for i, name in enumerate(header) if i != column and name}
        recipients.append(BulkRecipient(cells[column], variables or None))
    if not recipients:
        raise forms.ValidationError(_("파일에 수신자가 없습니다."))
    return recipients


class SenderNumberForm(forms.Form):
    number = forms.CharField(label=_("발신번호"), max_length=30)
    purpose = forms.ChoiceField(
        label=_("용도"), choices=SenderNumber.Purpose.choices, initial=SenderNumber.Purpose.SMS
    )
    proof_document = forms.FileField(
        label=_("통신서비스 이용증명원"),
        required=False,
        help_text=_("번호마다 통신사에서 발급한 가입 증명 서류를 올려 주세요."),
    )


class TemplateForm(forms.Form):
    sender_profile = forms.CharField(label=_("카카오 발신 프로필"), max_length=64)
    code = forms.CharField(label=_("템플릿 코드"), max_length=64)
    name = forms.CharField(label=_("템플릿 이름"), max_length=120)
    body = forms.CharField(
        label=_("본문"),
        widget=forms.Textarea(attrs={"rows": 6}),
        strip=False,
        help_text=_("바꿔 넣을 곳은 #{이름} 처럼 적습니다."),
    )


class TemplateEditForm(forms.Form):
    body = forms.CharField(
        label=_("본문"),
        widget=forms.Textarea(attrs={"rows": 6}),
        strip=False,
        help_text=_("승인된 템플릿을 고치면 다시 검수를 받습니다."),
    )


class OptOutForm(forms.Form):
    number = forms.CharField(label=_("수신거부 번호"), max_length=30)


class NoticePreferenceForm(forms.Form):
    """One set of channel checkboxes per kind of notice (MSG-1)."""

    def __init__(self, *args: Any, current: dict[str, list[str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(c.value, c.label) for c in CHOOSABLE]
        for category in NoticeCategory:
            self.fields[category.value] = forms.MultipleChoiceField(
                label=category.label,
                choices=choices,
                required=False,
                widget=forms.CheckboxSelectMultiple,
                initial=current.get(category.value) or [],
                help_text=_("고르지 않으면 기본 방법(포털 알림함과 이메일 등)으로 보냅니다."),
            )
