"""The NTS standard e-tax invoice XML (전자세금계산서 표준, issue 18): writer and rule checker.

One ``<TaxInvoice>`` document per tax invoice, in the namespace of the Korea e-commerce standard
(KEC) "TaxInvoice" schema module 1.0 — the UN/CEFACT-based structure 홈택스 and the issuing
services exchange: ``ExchangedDocument`` (관리 정보), ``TaxInvoiceDocument`` (기본 정보),
``TaxInvoiceTradeSettlement`` (공급자 ``InvoicerParty``, 공급받는자 ``InvoiceeParty``, 결제 방법,
합계) and one ``TaxInvoiceTradeLineItem`` per 품목.

The element order, cardinality and value rules are declared once below (:data:`STRUCTURE`,
:data:`CODE_LISTS` and :func:`check`), taken from the standard's element table as public
implementations of it build and validate the document (the official XSD is not redistributed
with this repository). :func:`check` returns the broken rules (empty = conforming); the tests run
every exported document through it.

Two values are only known after issuing: ``TaxInvoiceDocument/IssueID`` (the 24-character 국세청
승인번호, assigned when the document is signed) is written empty until the row has one, and for an
individual buyer (비사업자) ``InvoiceeParty/ID`` stays empty because this system never stores
resident registration numbers (DAT rules): the operator fills both in at upload.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from .base import Party, TaxInvoiceDocument

NS = "urn:kr:or:kec:standard:Tax:ReusableAggregateBusinessInformationEntitySchemaModule:1:0"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = f"{NS} http://www.kec.or.kr/standard/Tax/TaxInvoiceSchemaModule_1.0.xsd"

#: TaxInvoiceDocument/TypeCode: 2 digits kind (01 세금계산서, 02 수정세금계산서, 03 계산서,
#: 04 수정계산서) + 2 digits type (01 일반, 02 영세율, 03 위수탁, 04 수입, 05 영세율 위수탁,
#: 06 수입 납부유예).
TYPE_CODES = {
    "0101": "일반 세금계산서",
    "0102": "영세율 세금계산서",
    "0103": "위수탁 세금계산서",
    "0104": "수입 세금계산서",
    "0105": "영세율 위수탁 세금계산서",
    "0106": "수입 세금계산서 (납부유예)",
    "0201": "수정 일반 세금계산서",
    "0202": "수정 영세율 세금계산서",
    "0203": "수정 위수탁 세금계산서",
    "0204": "수정 수입 세금계산서",
    "0205": "수정 영세율 위수탁 세금계산서",
    "0206": "수정 수입 세금계산서 (납부유예)",
    "0301": "일반 계산서",
    "0303": "위수탁 계산서",
    "0304": "수입 계산서",
    "0401": "수정 일반 계산서",
    "0403": "수정 위수탁 계산서",
    "0404": "수정 수입 계산서",
}
PURPOSE_CODES = {"01": "영수", "02": "청구"}
#: 수정 사유 (AmendmentStatusCode).
AMENDMENT_CODES = {
    "01": "기재사항 착오·정정",
    "02": "공급가액 변동",
    "03": "환입",
    "04": "계약의 해제",
    "05": "내국신용장 사후개설",
    "06": "착오에 의한 이중발급",
}
#: InvoiceeParty/SpecifiedOrganization/BusinessTypeCode: which number InvoiceeParty/ID holds.
BUSINESS_TYPE_CODES = {"01": "사업자등록번호", "02": "주민등록번호", "03": "외국인"}
#: SpecifiedPaymentMeans/TypeCode.
PAYMENT_MEANS_CODES = {"10": "현금", "20": "수표", "30": "어음", "40": "외상미수금"}
CODE_LISTS = {
    "TaxInvoiceDocument/TypeCode": TYPE_CODES,
    "TaxInvoiceDocument/PurposeCode": PURPOSE_CODES,
    "TaxInvoiceDocument/AmendmentStatusCode": AMENDMENT_CODES,
    "InvoiceeParty/SpecifiedOrganization/BusinessTypeCode": BUSINESS_TYPE_CODES,
    "SpecifiedPaymentMeans/TypeCode": PAYMENT_MEANS_CODES,
}

UNBOUNDED = 10**6
#: Per element: its children in the standard's order, each (name, min, max). Leaves are absent.
STRUCTURE: dict[str, list[tuple[str, int, int]]] = {
    "TaxInvoice": [
        ("ExchangedDocument", 1, 1),
        ("TaxInvoiceDocument", 1, 1),
        ("TaxInvoiceTradeSettlement", 1, 1),
        ("TaxInvoiceTradeLineItem", 1, 99),
    ],
    "ExchangedDocument": [("ID", 0, 1), ("IssueDateTime", 1, 1), ("ReferencedDocument", 0, 1)],
    "ReferencedDocument": [("ID", 1, 1)],
    "TaxInvoiceDocument": [
        ("IssueID", 1, 1),
        ("TypeCode", 1, 1),
        ("DescriptionText", 0, 3),
        ("IssueDateTime", 1, 1),
        ("AmendmentStatusCode", 0, 1),
        ("PurposeCode", 1, 1),
        ("OriginalIssueID", 0, 1),
        ("ReferencedImportDocument", 0, 1),
    ],
    "TaxInvoiceTradeSettlement": [
        ("InvoicerParty", 1, 1),
        ("InvoiceeParty", 1, 1),
        ("BrokerParty", 0, 1),
        ("SpecifiedPaymentMeans", 0, 4),
        ("SpecifiedMonetarySummation", 1, 1),
    ],
    "InvoicerParty": [
        ("ID", 1, 1),
        ("TypeCode", 0, 1),
        ("NameText", 1, 1),
        ("ClassificationCode", 0, 1),
        ("SpecifiedOrganization", 0, 1),
        ("SpecifiedPerson", 1, 1),
        ("DefinedContact", 0, 1),
        ("SpecifiedAddress", 0, 1),
    ],
    "InvoiceeParty": [
        ("ID", 1, 1),
        ("TypeCode", 0, 1),
        ("NameText", 1, 1),
        ("ClassificationCode", 0, 1),
        ("SpecifiedOrganization", 1, 1),
        ("SpecifiedPerson", 1, 1),
        ("PrimaryDefinedContact", 0, 1),
        ("SecondaryDefinedContact", 0, 1),
        ("SpecifiedAddress", 0, 1),
    ],
    "InvoicerParty/SpecifiedOrganization": [("TaxRegistrationID", 1, 1)],
    "InvoiceeParty/SpecifiedOrganization": [("TaxRegistrationID", 0, 1), ("BusinessTypeCode", 1, 1)],
    "SpecifiedPerson": [("NameText", 1, 1)],
    "DefinedContact": [
        ("DepartmentNameText", 0, 1),
        ("PersonNameText", 0, 1),
        ("TelephoneCommunication", 0, 1),
        ("URICommunication", 0, 1),
    ],
    "SpecifiedAddress": [("LineOneText", 1, 1)],
    "SpecifiedPaymentMeans": [("TypeCode", 1, 1), ("PaidAmount", 1, 1)],
    "SpecifiedMonetarySummation": [
        ("ChargeTotalAmount", 1, 1),
        ("TaxTotalAmount", 0, 1),
        ("GrandTotalAmount", 1, 1),
    ],
    "TaxInvoiceTradeLineItem": [
        ("SequenceNumeric", 1, 1),
        ("DescriptionText", 0, 1),
        ("InvoiceAmount", 1, 1),
        ("ChargeableUnitQuantity", 0, 1),
        ("InformationText", 0, 1),
        ("NameText", 0, 1),
        ("PurchaseExpiryDateTime", 0, 1),
        ("TotalTax", 0, 1),
        ("UnitPrice", 0, 1),
    ],
    "TotalTax": [("CalculatedAmount", 1, 1)],
    "UnitPrice": [("UnitAmount", 1, 1)],
}
STRUCTURE["PrimaryDefinedContact"] = STRUCTURE["SecondaryDefinedContact"] = STRUCTURE["DefinedContact"]
STRUCTURE["BrokerParty"] = STRUCTURE["InvoicerParty"]  # 수탁자 (위수탁 발행 only)
STRUCTURE["BrokerParty/SpecifiedOrganization"] = STRUCTURE["InvoicerParty/SpecifiedOrganization"]
#: Longest text per element (characters).
MAX_LENGTH = {
    "NameText": 200,
    "LineOneText": 300,
    "TypeCode": 100,  # a party's 업태
    "ClassificationCode": 100,  # a party's 종목
    "PersonNameText": 100,
    "URICommunication": 100,
    "DescriptionText": 150,
    "InformationText": 60,
}
LINE_NAME_MAX = 100  # 품목명
DIGITS_10 = re.compile(r"^\d{10}$")
DIGITS_13 = re.compile(r"^\d{13}$")
ISSUE_ID = re.compile(r"^[0-9A-Za-z]{24}$")
TAX_REGISTRATION_ID = re.compile(r"^\d{4}$")
AMOUNT = re.compile(r"^-?\d{1,18}$")


def _q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


# ── writer ────────────────────────────────────────────────────────────────────────────────────────


def _sub(parent: ET.Element, tag: str, text: str | int | None = None) -> ET.Element:
    element = ET.SubElement(parent, _q(tag))
    if text is not None and text != "":
        element.text = str(text)
    return element


def _contact(parent: ET.Element, tag: str, party: Party) -> None:
    person, phone, email = party.contact_name, party.phone, party.email
    if not (person or phone or email):
        return
    contact = _sub(parent, tag)
    if person:
        _sub(contact, "PersonNameText", person[:100])
    if phone:
        _sub(contact, "TelephoneCommunication", phone)
    if email:
        _sub(contact, "URICommunication", email[:100])


def _party_head(element: ET.Element, party: Party) -> None:
    _sub(element, "ID", party.business_number)
    if party.business_type:
        _sub(element, "TypeCode", party.business_type[:100])
    _sub(element, "NameText", party.name[:200])
    if party.business_item:
        _sub(element, "ClassificationCode", party.business_item[:100])


def _address(element: ET.Element, party: Party) -> None:
    if party.address:
        _sub(_sub(element, "SpecifiedAddress"), "LineOneText", party.address[:300])


def document_element(document: TaxInvoiceDocument, *, generated_at: dt.datetime) -> ET.Element:
    """The ``<TaxInvoice>`` element of one document, children in the standard's order."""
    ET.register_namespace("", NS)
    ET.register_namespace("xsi", XSI)
    root = ET.Element(_q("TaxInvoice"), {f"{{{XSI}}}schemaLocation": SCHEMA_LOCATION})

    exchanged = _sub(root, "ExchangedDocument")
    _sub(exchanged, "ID", document.number)
    _sub(exchanged, "IssueDateTime", f"{generated_at:%Y%m%d%H%M%S}")

    head = _sub(root, "TaxInvoiceDocument")
    _sub(head, "IssueID", document.approval_number)
    _sub(head, "TypeCode", document.type_code)
    for remark in [r for r in document.remarks if r][:3]:
        _sub(head, "DescriptionText", remark[:150])
    _sub(head, "IssueDateTime", f"{document.written_on:%Y%m%d}")
    if document.amended:
        _sub(head, "AmendmentStatusCode", document.amendment_code)
    _sub(head, "PurposeCode", document.purpose_code)
    if document.amended:
        _sub(head, "OriginalIssueID", document.original_approval_number)

    settlement = _sub(root, "TaxInvoiceTradeSettlement")
    invoicer = _sub(settlement, "InvoicerParty")
    _party_head(invoicer, document.supplier)
    _sub(_sub(invoicer, "SpecifiedPerson"), "NameText", document.supplier.representative[:100])
    _contact(invoicer, "DefinedContact", document.supplier)
    _address(invoicer, document.supplier)

    invoicee = _sub(settlement, "InvoiceeParty")
    _party_head(invoicee, document.buyer)
    organization = _sub(invoicee, "SpecifiedOrganization")
    _sub(organization, "BusinessTypeCode", "01" if document.buyer.is_business else "02")
    _sub(_sub(invoicee, "SpecifiedPerson"), "NameText", document.buyer.representative[:100])
    _contact(invoicee, "PrimaryDefinedContact", document.buyer)
    _address(invoicee, document.buyer)

    if not document.amended:  # 청구: the whole amount is a receivable (외상미수금)
        means = _sub(settlement, "SpecifiedPaymentMeans")
        _sub(means, "TypeCode", "10" if document.purpose_code == "01" else "40")
        _sub(means, "PaidAmount", document.total_won)
    summation = _sub(settlement, "SpecifiedMonetarySummation")
    _sub(summation, "ChargeTotalAmount", document.supply_won)
    _sub(summation, "TaxTotalAmount", document.vat_won)
    _sub(summation, "GrandTotalAmount", document.total_won)

    for item in document.items:
        line = _sub(root, "TaxInvoiceTradeLineItem")
        _sub(line, "SequenceNumeric", item.sequence)
        if item.note:
            _sub(line, "DescriptionText", item.note[:150])
        _sub(line, "InvoiceAmount", item.supply_won)
        if item.quantity is not None:
            _sub(line, "ChargeableUnitQuantity", item.quantity)
        if item.spec:
            _sub(line, "InformationText", item.spec[:60])
        _sub(line, "NameText", item.name[:LINE_NAME_MAX])
        _sub(line, "PurchaseExpiryDateTime", f"{item.supplied_on:%Y%m%d}")
        _sub(_sub(line, "TotalTax"), "CalculatedAmount", item.vat_won)
        if item.unit_price_won is not None:
            _sub(_sub(line, "UnitPrice"), "UnitAmount", item.unit_price_won)
    return root


def document_xml(document: TaxInvoiceDocument, *, generated_at: dt.datetime) -> bytes:
    """One standard XML file (UTF-8 with declaration)."""
    root = document_element(document, generated_at=generated_at)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


# ── checker ───────────────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Problem:
    path: str
    rule: str

    def __str__(self) -> str:
        return f"{self.path}: {self.rule}"


def _local(tag: str) -> str:
    return tag.split("}", 1)[1] if tag.startswith("{") else tag


def _structure_key(path: list[str]) -> str | None:
    name = path[-1]
    if len(path) >= 2 and f"{path[-2]}/{name}" in STRUCTURE:
        return f"{path[-2]}/{name}"
    return name if name in STRUCTURE else None


def _check_children(element: ET.Element, path: list[str], problems: list[Problem]) -> None:
    key = _structure_key(path)
    where = "/".join(path)
    children = list(element)
    if key is None:
        if children:
            problems.append(Problem(where, "a value element has no child elements"))
        return
    expected = STRUCTURE[key]
    index = 0
    for name, low, high in expected:
        count = 0
        while index < len(children) and _local(children[index].tag) == name:
            if children[index].tag != _q(name):
                problems.append(Problem(f"{where}/{name}", "element outside the standard's namespace"))
            count += 1
            index += 1
        if count < low:
            problems.append(Problem(f"{where}/{name}", "required element missing or out of order"))
        if count > high:
            problems.append(Problem(f"{where}/{name}", f"at most {high} allowed, found {count}"))
    for child in children[index:]:
        problems.append(Problem(f"{where}/{_local(child.tag)}", "element not allowed here or out of order"))
    for child in children:
        _check_children(child, [*path, _local(child.tag)], problems)


def _text(element: ET.Element | None) -> str:
    return (element.text or "").strip() if element is not None else ""


def _find(root: ET.Element, path: str) -> ET.Element | None:
    return root.find("/".join(_q(p) for p in path.split("/")))


def _date(value: str, fmt: str) -> dt.datetime | None:
    try:
        return dt.datetime.strptime(value, fmt).replace(tzinfo=dt.UTC)  # only the calendar is checked
    except ValueError:
        return None


def _amount(root: ET.Element, path: str, problems: list[Problem], *, negative_ok: bool) -> int | None:
    element = _find(root, path)
    if element is None:
        return None
    value = _text(element)
    if not AMOUNT.match(value):
        problems.append(Problem(path, "an amount in whole won (digits, no separators or decimals)"))
        return None
    number = int(value)
    if number < 0 and not negative_ok:
        problems.append(Problem(path, "negative amounts only on an amended (수정) invoice"))
    return number


def check(data: bytes | ET.Element) -> list[Problem]:
    """Every broken element rule of one ``<TaxInvoice>`` document (empty list = conforming)."""
    # Our own export (and test fixtures) only: no DTDs or entities are expected or resolved here.
    root = ET.fromstring(data) if isinstance(data, bytes) else data  # noqa: S314
    problems: list[Problem] = []
    if root.tag != _q("TaxInvoice"):
        return [Problem(_local(root.tag), f"the root must be TaxInvoice in the namespace {NS}")]
    _check_children(root, ["TaxInvoice"], problems)

    # ── codes and formats ──
    type_code = _text(_find(root, "TaxInvoiceDocument/TypeCode"))
    if type_code not in TYPE_CODES:
        problems.append(Problem("TaxInvoiceDocument/TypeCode", f"not in the code list ({type_code!r})"))
    amended = type_code[:2] in ("02", "04")
    taxed = type_code[:2] in ("01", "02")
    purpose = _text(_find(root, "TaxInvoiceDocument/PurposeCode"))
    if purpose not in PURPOSE_CODES:
        problems.append(Problem("TaxInvoiceDocument/PurposeCode", f"not in the code list ({purpose!r})"))
    issue_id = _text(_find(root, "TaxInvoiceDocument/IssueID"))
    if issue_id and not ISSUE_ID.match(issue_id):
        problems.append(Problem("TaxInvoiceDocument/IssueID", "the 국세청 승인번호 is 24 letters or digits"))
    written = _text(_find(root, "TaxInvoiceDocument/IssueDateTime"))
    written_on = _date(written, "%Y%m%d") if len(written) == 8 else None
    if written_on is None:
        problems.append(Problem("TaxInvoiceDocument/IssueDateTime", "작성일자 as YYYYMMDD"))
    stamp = _text(_find(root, "ExchangedDocument/IssueDateTime"))
    if len(stamp) != 14 or _date(stamp, "%Y%m%d%H%M%S") is None:
        problems.append(Problem("ExchangedDocument/IssueDateTime", "발행일시 as YYYYMMDDHHMMSS"))
    amendment = _find(root, "TaxInvoiceDocument/AmendmentStatusCode")
    original = _find(root, "TaxInvoiceDocument/OriginalIssueID")
    if amended:
        if _text(amendment) not in AMENDMENT_CODES:
            problems.append(
                Problem("TaxInvoiceDocument/AmendmentStatusCode", "required on an amended invoice (01..06)")
            )
        if not ISSUE_ID.match(_text(original)):
            problems.append(
                Problem(
                    "TaxInvoiceDocument/OriginalIssueID",
                    "an amended invoice names the original's 24-character 승인번호",
                )
            )
    else:
        if amendment is not None:
            problems.append(Problem("TaxInvoiceDocument/AmendmentStatusCode", "only on an amended invoice"))
        if original is not None:
            problems.append(Problem("TaxInvoiceDocument/OriginalIssueID", "only on an amended invoice"))

    invoicer_id = _text(_find(root, "TaxInvoiceTradeSettlement/InvoicerParty/ID"))
    if not DIGITS_10.match(invoicer_id):
        problems.append(Problem("InvoicerParty/ID", "공급자 사업자등록번호: 10 digits, no hyphens"))
    kind = _text(
        _find(root, "TaxInvoiceTradeSettlement/InvoiceeParty/SpecifiedOrganization/BusinessTypeCode")
    )
    invoicee_id = _text(_find(root, "TaxInvoiceTradeSettlement/InvoiceeParty/ID"))
    if kind not in BUSINESS_TYPE_CODES:
        problems.append(
            Problem(
                "InvoiceeParty/SpecifiedOrganization/BusinessTypeCode", f"not in the code list ({kind!r})"
            )
        )
    elif kind == "01" and not DIGITS_10.match(invoicee_id):
        problems.append(Problem("InvoiceeParty/ID", "사업자등록번호: 10 digits, no hyphens"))
    elif kind == "02" and not DIGITS_13.match(invoicee_id):
        problems.append(Problem("InvoiceeParty/ID", "주민등록번호 (13 digits) to be filled in at upload"))
    elif kind == "03" and len(invoicee_id) != 13:
        problems.append(Problem("InvoiceeParty/ID", "외국인: 13 characters"))
    for party in ("InvoicerParty", "InvoiceeParty"):
        for name, path in (("NameText", "NameText"), ("대표자", "SpecifiedPerson/NameText")):
            if not _text(_find(root, f"TaxInvoiceTradeSettlement/{party}/{path}")):
                problems.append(Problem(f"{party}/{path}", f"{name} must not be empty"))
        tax_reg = _find(root, f"TaxInvoiceTradeSettlement/{party}/SpecifiedOrganization/TaxRegistrationID")
        if tax_reg is not None and not TAX_REGISTRATION_ID.match(_text(tax_reg)):
            problems.append(
                Problem(f"{party}/SpecifiedOrganization/TaxRegistrationID", "종사업장 번호: 4 digits")
            )
    for element in root.iter():
        limit = MAX_LENGTH.get(_local(element.tag))
        if limit and len(_text(element)) > limit:
            problems.append(Problem(_local(element.tag), f"at most {limit} characters"))
    for means in root.iter(_q("SpecifiedPaymentMeans")):
        code = _text(means.find(_q("TypeCode")))
        if code not in PAYMENT_MEANS_CODES:
            problems.append(Problem("SpecifiedPaymentMeans/TypeCode", f"not in the code list ({code!r})"))

    # ── amounts ──
    base = "TaxInvoiceTradeSettlement/SpecifiedMonetarySummation"
    charge = _amount(root, f"{base}/ChargeTotalAmount", problems, negative_ok=amended)
    tax = _amount(root, f"{base}/TaxTotalAmount", problems, negative_ok=amended)
    grand = _amount(root, f"{base}/GrandTotalAmount", problems, negative_ok=amended)
    if taxed and _find(root, f"{base}/TaxTotalAmount") is None:
        problems.append(Problem(f"{base}/TaxTotalAmount", "required on a 세금계산서"))
    if charge is not None and grand is not None and charge + (tax or 0) != grand:
        problems.append(Problem(f"{base}/GrandTotalAmount", "합계금액 = 공급가액 + 세액"))
    ten_percent = type_code[2:] in ("01", "03", "04") and taxed
    if charge is not None and tax is not None and ten_percent and abs(tax * 10 - charge) >= 10:
        problems.append(Problem(f"{base}/TaxTotalAmount", "세액 = 공급가액 × 10% (원 미만 차이만 허용)"))
    if charge is not None and tax is not None and type_code[2:] in ("02", "05") and tax != 0:
        problems.append(Problem(f"{base}/TaxTotalAmount", "영세율: 세액 0"))
    lines = root.findall(_q("TaxInvoiceTradeLineItem"))
    line_supply = line_tax = 0
    for number, line in enumerate(lines, start=1):
        where = f"TaxInvoiceTradeLineItem[{number}]"
        if _text(line.find(_q("SequenceNumeric"))) != str(number):
            problems.append(Problem(f"{where}/SequenceNumeric", "lines are numbered 1, 2, … in order"))
        supply_el = line.find(_q("InvoiceAmount"))
        if supply_el is not None and AMOUNT.match(_text(supply_el)):
            line_supply += int(_text(supply_el))
        else:
            problems.append(Problem(f"{where}/InvoiceAmount", "공급가액 in whole won"))
        calc = line.find(f"{_q('TotalTax')}/{_q('CalculatedAmount')}")
        if calc is not None:
            if AMOUNT.match(_text(calc)):
                line_tax += int(_text(calc))
            else:
                problems.append(Problem(f"{where}/TotalTax/CalculatedAmount", "세액 in whole won"))
        supplied = _text(line.find(_q("PurchaseExpiryDateTime")))
        if supplied:
            on = _date(supplied, "%Y%m%d") if len(supplied) == 8 else None
            if on is None:
                problems.append(Problem(f"{where}/PurchaseExpiryDateTime", "공급 연월일 as YYYYMMDD"))
            elif (
                written_on is not None
                and not amended
                and (on.year, on.month) != (written_on.year, written_on.month)
            ):
                problems.append(
                    Problem(f"{where}/PurchaseExpiryDateTime", "공급 연월일 in the month of 작성일자")
                )
        name = _text(line.find(_q("NameText")))
        if len(name) > LINE_NAME_MAX:
            problems.append(Problem(f"{where}/NameText", f"품목명 at most {LINE_NAME_MAX} characters"))
    if lines and charge is not None and line_supply != charge:
        problems.append(
            Problem(f"{base}/ChargeTotalAmount", "공급가액 합계 = the lines' InvoiceAmount summed")
        )
    if lines and tax is not None and line_tax != tax:
        problems.append(Problem(f"{base}/TaxTotalAmount", "세액 합계 = the lines' CalculatedAmount summed"))
    return problems
