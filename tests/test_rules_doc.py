"""docs/rules.md explains every rule id the project cites.

A rule id (ACC-1, MSG-2a, …) cited in code, templates or docs without an entry in docs/rules.md
fails here: add the entry (an `### ID title` heading, the statement and its source) with the id.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RULES_DOC = ROOT / "docs" / "rules.md"
PREFIXES = "ACC|TRM|CON|BIL|DUN|SLA|MSG|DAT"
ID = re.compile(rf"\b(?:{PREFIXES})-[0-9]+[a-z]?\b")
# "BIL-12..16" and "CON-1..CON-13" cite every id in between.
RANGE = re.compile(rf"\b({PREFIXES})-([0-9]+)\.\.(?:(?:{PREFIXES})-)?([0-9]+)\b")
HEADING = re.compile(rf"^#{{2,4}} ((?:{PREFIXES})-[0-9]+[a-z]?)\b", re.MULTILINE)
SUFFIXES = {".py", ".html", ".md"}
SKIP_DIRS = {"node_modules", "staticfiles", "media", "build", "dist", "__pycache__"}


def _sources() -> list[Path]:
    found = []
    for path in ROOT.rglob("*"):
        parts = path.relative_to(ROOT).parts
        if any(part.startswith(".") or part in SKIP_DIRS for part in parts[:-1]):
            continue
        if path.suffix in SUFFIXES and path.is_file() and path != RULES_DOC:
            found.append(path)
    return found


def cited_ids(text: str) -> set[str]:
    ids = set(ID.findall(text))
    for prefix, first, last in RANGE.findall(text):
        ids.update(f"{prefix}-{n}" for n in range(int(first), int(last) + 1))
    return ids


def documented_ids() -> list[str]:
    return HEADING.findall(RULES_DOC.read_text(encoding="utf-8"))


def test_cited_ids_expand_ranges_and_lettered_ids() -> None:
    assert cited_ids("(BIL-12..14; CON-1..CON-3, MSG-2a)") == {
        "BIL-12", "BIL-13", "BIL-14", "CON-1", "CON-2", "CON-3", "MSG-2a",
    }


def test_every_cited_rule_id_has_an_entry_in_docs_rules() -> None:
    cited: dict[str, set[str]] = {}
    for path in _sources():
        for rule_id in cited_ids(path.read_text(encoding="utf-8", errors="replace")):
            cited.setdefault(rule_id, set()).add(str(path.relative_to(ROOT)))
    # The scan must actually see the project: the apps cite dozens of ids.
    assert {"ACC-2", "BIL-9", "CON-4", "DUN-1", "MSG-1"} <= cited.keys(), sorted(cited)
    documented = set(documented_ids())
    missing = {rule_id: sorted(paths)[:3] for rule_id, paths in cited.items() if rule_id not in documented}
    assert not missing, f"rule ids cited without an entry in docs/rules.md: {missing}"


def test_docs_rules_has_one_entry_per_id() -> None:
    ids = documented_ids()
    duplicates = sorted({rule_id for rule_id in ids if ids.count(rule_id) > 1})
    assert not duplicates, f"rule ids with more than one entry in docs/rules.md: {duplicates}"
