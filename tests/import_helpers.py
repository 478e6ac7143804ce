"""Shared by the importer tests: the example exports, a taxonomy that splits their issue lines, helpers."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command

from briefs.models import Brief, BriefType, ExpertQuote, RelatedLink
from experts.models import Expert
from issues.models import Issue
from tests.factories import IssueFactory

ROOT = Path(__file__).resolve().parents[1]
EXPORTS = ROOT / "tests" / "data" / "exports"
BAD = EXPORTS / "bad"
RED_SEA = EXPORTS / "analysis-2025-03-10-red-sea.txt"
NO_ANALYSIS = EXPORTS / "flash-brief-2025-02-03-procurement.txt"
NO_RELATED = EXPORTS / "policy-memo-2025-04-01-arms-control.txt"
# ../shared/seeds next to the repository: the real exports, when this checkout has them.
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
NBSP = "\u00a0"
OUR_ISSUES = [
    "Yemen",
    "Yemen Humanitarian Crisis",
    "Houthis",
    "Maritime Security",
    "Sanctions",
    "Sanctions and Illicit Finance",
]
SEED_ISSUES = [
    "Iran",
    "Iran Global Threat Network",
    "Iran-backed Terrorism",
    "Jihadism",
    "Military and Political Power",
    "Syria",
]
MEMO_ISSUES = ["--issue", "Arms Control", "--issue", "Nonproliferation"]


@pytest.fixture
def taxonomy():
    """The issues the example and seed exports name ("Sanctions" is there to test longest-first)."""
    return [IssueFactory(name=name) for name in OUR_ISSUES + SEED_ISSUES]


def run(*args):
    """Run the command as an editor would; returns what it printed."""
    out = io.StringIO()
    call_command("import_briefs", *[str(a) for a in args], stdout=out)
    return out.getvalue()


def counts():
    """Row counts of everything an import can write."""
    return [model.objects.count() for model in (Brief, BriefType, Expert, ExpertQuote, RelatedLink, Issue)]
