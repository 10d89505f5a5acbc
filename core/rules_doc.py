"""The rule ids of ``docs/rules.md`` read back: each id's title and its seed source, per preset.

``docs/rules.md`` is the one place that says what a rule id means and which article of which seed
terms it comes from (an ``### ID title`` heading, the statement, then a ``- Source:`` line such as
"dcloud terms art.34 ①②③; flow terms art.19-6-나."). Reports that show *why* a charge exists
(``manage.py replay``) cite the id and the article from here rather than repeating the table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

PREFIXES = "ACC|TRM|CON|BIL|DUN|SLA|MSG|DAT"
ID = re.compile(rf"\b(?:{PREFIXES})-[0-9]+[a-z]?\b")
# "BIL-12..16" and "CON-1..CON-13" cite every id in between.
RANGE = re.compile(rf"\b({PREFIXES})-([0-9]+)\.\.(?:(?:{PREFIXES})-)?([0-9]+)\b")
HEADING = re.compile(rf"^#{{2,4}} ((?:{PREFIXES})-[0-9]+[a-z]?)\b ?(.*)$", re.MULTILINE)
SOURCE = re.compile(r"^- Source:(.*(?:\n  .*)*)", re.MULTILINE)
# Where a source cites a preset's seed: "dcloud terms art.34", "kgmsg form item 2-가".
SEED_MENTION = re.compile(r"\b(officecore|flow|dcloud|kgmsg|damoa) (?:terms|form)\b")
RULES_DOC = Path(__file__).resolve().parents[1] / "docs" / "rules.md"


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    source: str  # the whole "- Source:" text, one line ("" when the entry has none)

    def seed_article(self, preset: str) -> str:
        """The articles of ``preset``'s seed this rule cites ("dcloud terms art.34 ①②③"); "" when the
        source cites none of that preset's (the rule then comes from a statute or the product)."""
        text = re.sub(r"\([^()]*\)", "", self.source)  # remarks in parentheses
        found: list[str] = []
        mentions = list(SEED_MENTION.finditer(text))
        for i, mention in enumerate(mentions):
            if mention[1] != preset:
                continue
            end = mentions[i + 1].start() if i + 1 < len(mentions) else len(text)
            chunk = re.split(r";|\. |\.$", text[mention.start() : end])[0]
            chunk = re.sub(r"\s+,", ",", re.sub(r"[\s,]*(?:and|or)?[\s,]*$", "", chunk)).strip()
            chunk = " ".join(chunk.split())
            if chunk and chunk not in found:
                found.append(chunk)
        return "; ".join(found)


def cited_ids(text: str) -> list[str]:
    """The rule ids ``text`` cites, ranges expanded, in the order they first appear."""
    found: list[str] = []
    for match in re.finditer(rf"{RANGE.pattern}|{ID.pattern}", text):
        ranged = RANGE.fullmatch(match.group(0))
        ids = (
            [f"{ranged[1]}-{n}" for n in range(int(ranged[2]), int(ranged[3]) + 1)]
            if ranged
            else [match.group(0)]
        )
        found += [i for i in ids if i not in found]
    return found


def parse(text: str) -> dict[str, Rule]:
    """Every ``### ID title`` entry of a rules document with its source line."""
    rules: dict[str, Rule] = {}
    headings = list(HEADING.finditer(text))
    for i, heading in enumerate(headings):
        end = headings[i + 1].start() if i + 1 < len(headings) else len(text)
        body = text[heading.end() : end]
        source = SOURCE.search(body)
        rules[heading[1]] = Rule(
            heading[1],
            heading[2].strip(),
            " ".join(source[1].split()) if source else "",
        )
    return rules


@cache
def rules() -> dict[str, Rule]:
    """``docs/rules.md`` parsed once per process (empty when the document is not shipped)."""
    try:
        return parse(RULES_DOC.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}


def rule(rule_id: str) -> Rule:
    return rules().get(rule_id) or Rule(rule_id, "", "")
