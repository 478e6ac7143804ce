"""One import run: collect the files, parse them all, plan, then write everything or nothing."""

from dataclasses import dataclass
from pathlib import Path

from django.db import DatabaseError

from core import textcheck

from .loader import CREATED, UNCHANGED, UPDATED, apply_plans, plan_imports
from .parser import ExportError, read_export


class ImportFailed(Exception):
    """Nothing was written; the message lists every problem as ``file:line: what is wrong``."""


@dataclass
class Outcome:
    source: str
    action: str
    brief: object  # None for a brief a dry run would create
    issue_names: list


def unused_issues(extra_issues, outcomes):
    """``--issue`` names no file used: they are not created (a typo must not grow the taxonomy)."""
    used = {name.casefold() for outcome in outcomes for name in outcome.issue_names}
    return [name for name in extra_issues if " ".join(name.split()).casefold() not in used]


def collect_paths(paths):
    """Files as given; a folder stands for every ``*.txt`` inside it, sorted by name.

    A link in a folder that leads out of it (``passwd.txt -> /etc/passwd``) is refused before it is
    read, and the message names only the link: nothing of the file it points to is printed.
    """
    files = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            inside = sorted(p for p in path.glob("*.txt") if p.is_file())
            folder = path.resolve()
            outside = [p for p in inside if not p.resolve().is_relative_to(folder)]
            if outside:
                raise ImportFailed(
                    "\n".join(
                        f"{p}: a link to a file outside {raw}; not read (copy the file in instead)" for p in outside
                    )
                )
            files.extend(inside)
        elif path.is_file():
            files.append(path)
        else:
            raise ImportFailed(f"{raw}: no such file or folder")
    if not files:
        raise ImportFailed(f"no .txt exports found in {', '.join(str(p) for p in paths)}")
    return files


def import_exports(*, paths, extra_issues=(), publish=False, dry_run=False, progress=None, user=None):
    """Import the exports at ``paths`` and return one Outcome per file, in order.

    All files are parsed and planned before the first write; any bad input raises ImportFailed and
    nothing is written. ``progress`` (optional) is called once per file read and once per file saved.
    ``user`` is who the publications go down as in the briefs' history (None: the importer).
    """
    files = collect_paths(paths)
    for name in extra_issues:
        char = textcheck.first_unsafe(name, one_line=True)
        if char is not None:
            raise ImportFailed(f"--issue “{name}”: {textcheck.describe(char)} cannot be used in an issue name")
    parsed, errors = [], []
    for path in files:
        try:
            parsed.append(read_export(path))
        except ExportError as exc:
            errors.append(str(exc))
        if progress:
            progress()
    if errors:
        raise ImportFailed("\n".join(errors))
    _refuse_duplicates(parsed)
    try:
        plans = plan_imports(parsed_briefs=parsed, extra_issues=extra_issues, publish=publish)
    except ExportError as exc:
        raise ImportFailed(str(exc)) from None
    except DatabaseError as exc:  # e.g. an unmigrated database: a message, not a traceback
        raise ImportFailed(f"cannot read the database: {exc}") from None
    if dry_run:
        return [Outcome(plan.parsed.source, plan.action, plan.brief, plan.issue_names) for plan in plans]
    try:
        briefs = apply_plans(plans=plans, on_progress=progress, user=user)
    except ExportError as exc:
        raise ImportFailed(str(exc)) from None
    return [
        Outcome(plan.parsed.source, plan.action, brief, plan.issue_names)
        for plan, brief in zip(plans, briefs, strict=True)
    ]


def totals(outcomes):
    counts = {CREATED: 0, UPDATED: 0, UNCHANGED: 0}
    for outcome in outcomes:
        counts[outcome.action] += 1
    return counts


def _refuse_duplicates(parsed):
    """Two files describing the same brief (type, date, title) would fight over it."""
    seen = {}
    for brief in parsed:
        key = (brief.type_name.casefold(), brief.date, brief.title.casefold())
        if key in seen:
            raise ImportFailed(
                f"{brief.source}:{brief.title_line}: the same brief as {seen[key]} (same type, date and title)"
            )
        seen[key] = brief.source
