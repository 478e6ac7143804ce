"""Content checks before publishing: what a reader or a search engine would trip over.

They warn, they do not forbid: the change page shows them next to Publish, an editor may publish
past a warning, and the results are kept with the Publish transition. They run on revision ``data`` (see
``briefs.revisions``), so the same checks read a draft's row and a live brief's pending changes.
"""

from dataclasses import asdict, dataclass

import lxml.html

from experts.models import Expert

from .models import Brief

# What search engines show of a meta description; the summary is the brief's meta description.
META_DESCRIPTION_LENGTH = 160
HEADING_LEVELS = {"h2": 2, "h3": 3, "h4": 4}


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    message: str

    def as_dict(self):
        return asdict(self)


def _fragments(data):
    return [
        (label, data.get(key) or "")
        for key, label in (("developments", "Latest Developments"), ("body", "Further sections"))
    ]


def _elements(value):
    if not value.strip():
        return []
    return list(lxml.html.fragment_fromstring(value, create_parent="div").iter())


def check_summary(data):
    summary = " ".join((data.get("summary") or "").split())
    if not summary:
        return Check("summary", False, "The summary is empty: cards, feeds and search engines show it.")
    if len(summary) > META_DESCRIPTION_LENGTH:
        return Check(
            "summary",
            False,
            f"The summary has {len(summary)} characters; search engines cut it after {META_DESCRIPTION_LENGTH}.",
        )
    return Check("summary", True, f"Summary present, {len(summary)} characters.")


def check_issues(data):
    if not data.get("issues"):
        return Check("issues", False, "No issue is picked: the brief shows on no issue page or feed.")
    return Check("issues", True, "At least one issue.")


def check_quotes(data):
    quotes = data.get("quotes") or []
    experts = Expert.objects.in_bulk([q["expert"] for q in quotes if q.get("expert")])
    problems = []
    for number, quote in enumerate(quotes, start=1):
        expert = experts.get(quote.get("expert"))
        if expert is None:
            problems.append(f"quote {number} has no expert")
        elif not (quote.get("expert_title") or expert.title):
            problems.append(f"quote {number} ({expert.name}) has no title shown and the expert's profile has none")
    if problems:
        return Check("quotes", False, "Expert Analysis: " + "; ".join(problems) + ".")
    return Check("quotes", True, "Every quote has an expert and a title.")


def check_headings(data):
    problems = []
    for label, value in _fragments(data):
        previous = 1  # the brief's title is the page's h1; its sections start at h2
        for element in _elements(value):
            level = HEADING_LEVELS.get(element.tag)
            if level is None:
                continue
            if level > previous + 1:
                text = " ".join(element.text_content().split())
                problems.append(f"{label}: “{text}” is an H{level} after an H{previous}")
            previous = level
    if problems:
        return Check("headings", False, "Headings skip a level: " + "; ".join(problems) + ".")
    return Check("headings", True, "Headings in order.")


def check_links(data):
    problems = []
    for label, value in _fragments(data):
        for element in _elements(value):
            if element.tag != "a":
                continue
            text = " ".join(element.text_content().split())
            if not (element.get("href") or "").strip():
                problems.append(f"{label}: the link “{text or '(no text)'}” goes nowhere")
            elif not text:
                problems.append(f"{label}: a link to {element.get('href')} has no text")
    if problems:
        return Check("links", False, "Empty links: " + "; ".join(problems) + ".")
    return Check("links", True, "No empty links.")


def check_related(data):
    targets = [link["target_brief"] for link in data.get("related_links") or [] if link.get("target_brief")]
    live = set(Brief.objects.live().filter(pk__in=targets).values_list("pk", flat=True))
    dead = [pk for pk in targets if pk not in live]
    if dead:
        titles = dict(Brief.objects.filter(pk__in=dead).values_list("pk", "title"))
        names = ", ".join(f"“{titles.get(pk, f'brief {pk}')}”" for pk in dead)
        return Check("related", False, f"Related Reading points to briefs readers cannot see: {names}.")
    return Check("related", True, "Related Reading points to live briefs only.")


CHECKS = [check_summary, check_issues, check_quotes, check_headings, check_links, check_related]


def run_checks(data):
    """Every check on revision ``data``, in order: [Check]."""
    return [check(data) for check in CHECKS]


def failed(results):
    return [result for result in results if not result.ok]
