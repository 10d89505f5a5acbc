"""``core.rules_doc``: docs/rules.md read back, the ids cited by a text and each preset's seed articles."""

from __future__ import annotations

from core import rules_doc


def test_every_entry_is_read_with_its_title_and_source():
    rules = rules_doc.rules()
    assert len(rules) > 70
    assert rules["BIL-9"].title.startswith("Late charges")
    assert rules["BIL-9"].source.startswith("dcloud terms art.34")


def test_seed_article_is_the_presets_own():
    """BIL-9, BIL-14, SLA-4: only the chosen preset's articles, without remarks in parentheses."""
    assert rules_doc.rule("BIL-9").seed_article("dcloud") == "dcloud terms art.34 ①②③"
    assert rules_doc.rule("BIL-9").seed_article("flow") == "flow terms art.19-6-나"
    assert rules_doc.rule("BIL-14").seed_article("dcloud") == "dcloud terms art.32 ③; dcloud terms art.17 ③"
    assert rules_doc.rule("SLA-4").seed_article("officecore") == "officecore terms art.23 ①-3"
    assert rules_doc.rule("TRM-3").seed_article("officecore") == "officecore terms art.2 ④, art.2 ⑤"
    assert rules_doc.rule("BIL-9").seed_article("kgmsg") == ""  # none: the preset charges nothing


def test_cited_ids_expand_ranges_in_order():
    assert rules_doc.cited_ids("BIL-12..14 · 002 제32조③, CON-7 and BIL-13") == [
        "BIL-12",
        "BIL-13",
        "BIL-14",
        "CON-7",
    ]
    assert rules_doc.rule("XYZ-1").title == ""


def test_parse_reads_a_multiline_source():
    text = "### BIL-1 One\n\nText.\n\n- Source: dcloud terms art.1;\n  flow terms art.2.\n\n### BIL-2 Two\n"
    rules = rules_doc.parse(text)
    assert rules["BIL-1"].source == "dcloud terms art.1; flow terms art.2."
    assert rules["BIL-2"].source == ""
