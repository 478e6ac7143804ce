"""Write parsed exports with the ORM: plan everything first (reads only), then apply in one transaction.

Planning compares what an export says with what is stored, so a re-import reports "unchanged" and
writes nothing, and ``--dry-run`` is just the plan. Everything that can fail on input (an unknown
issue) fails while planning, before the first write.
"""

import datetime
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.html import escape
from django.utils.text import slugify

from briefs import workflow
from briefs.models import Brief, BriefType, ExpertQuote, RelatedLink
from core.richtext import sanitize_html
from experts.models import Expert
from issues.models import Issue
from search import index as search_index

from .issues import split_issues
from .parser import ExportError, ParsedBrief
from .text import summarize

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"
# Exports carry a date, not a time: imported briefs go out at this hour of the site's time zone.
PUBLICATION_HOUR = 9


@dataclass
class Plan:
    """What importing one export will do: the target brief (existing or not) and the wanted state."""

    parsed: ParsedBrief
    brief_type: BriefType | None
    brief: Brief | None
    fields: dict
    issue_names: list[str]
    quotes: list[tuple] = field(default_factory=list)  # (expert key, text, expert title)
    links: list[tuple] = field(default_factory=list)  # (target key or None, title, byline)
    action: str = CREATED


def plan_imports(*, parsed_briefs, extra_issues=(), publish=False):
    """Decide, without writing, what importing ``parsed_briefs`` creates, updates or leaves alone."""
    known_issues = {issue.name.casefold(): issue.name for issue in Issue.objects.all()}
    for name in extra_issues:
        known_issues.setdefault(" ".join(name.split()).casefold(), " ".join(name.split()))
    experts = _ExpertIndex()
    plans = []
    for parsed in parsed_briefs:
        issue_names = []
        if parsed.issues_text:
            issue_names = split_issues(
                parsed.issues_text, known_issues.values(), source=parsed.source, line=parsed.issues_line
            )
        brief_type = _find_type(parsed.type_name)
        brief = _find_brief(brief_type, parsed)
        plans.append(
            Plan(
                parsed=parsed,
                brief_type=brief_type,
                brief=brief,
                fields=_wanted_fields(parsed, brief, publish=publish),
                issue_names=issue_names,
                quotes=[(experts.key(q.expert_name), q.text, q.expert_title) for q in parsed.quotes],
            )
        )
    titles = {}  # briefs of this run that do not exist yet can be link targets too
    for index, plan in enumerate(plans):
        if plan.brief is None:
            titles.setdefault(plan.parsed.title.casefold(), ("new", index))
    for index, plan in enumerate(plans):
        own = plan.brief.pk if plan.brief else ("new", index)
        plan.links = [(_link_target(link.title, titles, own), link.title, link.byline) for link in plan.parsed.links]
        plan.action = CREATED if plan.brief is None else (UNCHANGED if _is_unchanged(plan) else UPDATED)
        if plan.action == UPDATED and plan.brief.status in (Brief.Status.PUBLISHED, Brief.Status.IN_REVIEW):
            # Readers (or a reviewer) see this brief: an import must not change it behind the
            # workflow's back (no pending revision, no review). Editors change it in the admin.
            raise ExportError(
                plan.parsed.source,
                plan.parsed.title_line,
                f"“{plan.brief.title}” is {plan.brief.get_status_display().lower()} and this export differs "
                "from it: edit it in the admin (changes to a live brief wait there for an editor), "
                "or withdraw it and reopen it as a draft before importing again",
            )
    return plans


def apply_plans(*, plans, on_progress=None, user=None):
    """Write every plan that changes something, all in one transaction; returns the briefs.

    A brief this run publishes gets a Transition in its history, by ``user`` (None: the importer).

    A database or validation error names the export it came from (as ExportError) and rolls
    the whole run back.
    """
    briefs = {}
    with transaction.atomic():
        experts = _ExpertIndex()
        for index, plan in enumerate(plans):
            with _saving(plan):
                briefs[index] = _save_brief(plan, experts, user=user) if plan.action != UNCHANGED else plan.brief
            if on_progress:
                on_progress()
        for index, plan in enumerate(plans):
            if plan.action != UNCHANGED:
                with _saving(plan):
                    _save_links(briefs[index], plan.links, briefs)
        if any(plan.action != UNCHANGED for plan in plans):
            # Quotes and links go in with bulk_create: their tags move (serving.dependencies), but
            # search's index listens to signals.
            search_index.index_briefs(brief.pk for brief in briefs.values())
    return [briefs[index] for index in range(len(plans))]


@contextmanager
def _saving(plan):
    try:
        yield
    except ValidationError as exc:
        detail = "; ".join(exc.messages)
        raise ExportError(plan.parsed.source, plan.parsed.title_line, f"cannot save this brief: {detail}") from None
    except DatabaseError as exc:
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ExportError(plan.parsed.source, plan.parsed.title_line, f"cannot save this brief: {detail}") from None


def publication_time(date):
    """The header's date at PUBLICATION_HOUR in the site's time zone."""
    naive = datetime.datetime.combine(date, datetime.time(PUBLICATION_HOUR))
    return timezone.make_aware(naive, timezone.get_default_timezone())


def paragraphs_html(paragraphs):
    return "\n".join(f"<p>{escape(p.text)}</p>" for p in paragraphs)


def sections_html(sections):
    parts = []
    for section in sections:
        parts.append(f"<h2>{escape(section.heading)}</h2>")
        parts.append(paragraphs_html(section.paragraphs))
    return "\n".join(p for p in parts if p)


def _wanted_fields(parsed, brief, *, publish):
    first = parsed.developments or [p for s in parsed.sections for p in s.paragraphs]
    fields = {
        "title": parsed.title,
        "summary": summarize(first[0].text) if first else "",
        # Stored sanitised, as RichTextField.pre_save would store it, so comparing is exact.
        "developments": sanitize_html(paragraphs_html(parsed.developments)),
        "body": sanitize_html(sections_html(parsed.sections)),
    }
    # --publish publishes new briefs and imported drafts; a brief in review or withdrawn keeps
    # its state (re-importing must not undo an editor's decision).
    if publish and (brief is None or brief.status == Brief.Status.DRAFT):
        fields["status"] = Brief.Status.PUBLISHED
    if brief is None:
        fields.setdefault("status", Brief.Status.DRAFT)
        # Drafts keep the export's date too: re-imports find them by it, and publishing later
        # puts the brief at its original address.
        fields["published_at"] = publication_time(parsed.date)
    return fields


def _find_type(name):
    return BriefType.objects.filter(name__iexact=name).first() or BriefType.objects.filter(slug=slugify(name)).first()


def _find_brief(brief_type, parsed):
    if brief_type is None:
        return None
    return (
        Brief.objects.filter(type=brief_type, title=parsed.title, published_at__date=parsed.date).order_by("pk").first()
    )


def _link_target(title, titles, own):
    """A related-reading title that is a brief here (case-insensitive exact) becomes an internal link."""
    match = Brief.objects.filter(title__iexact=title).order_by("-published_at", "-pk").values_list("pk", flat=True)
    target = match.first() or titles.get(title.casefold())
    return None if target == own else target


def _is_unchanged(plan):
    brief = plan.brief
    if brief.type_id != plan.brief_type.pk:
        return False
    if any(getattr(brief, name) != value for name, value in plan.fields.items()):
        return False
    if sorted(brief.issues.values_list("name", flat=True)) != sorted(plan.issue_names):
        return False
    stored_quotes = [(q.expert_id, q.text, q.expert_title) for q in brief.quotes.order_by("order", "pk")]
    if stored_quotes != plan.quotes:
        return False
    stored_links = [
        (link.target_brief_id, "", "") if link.target_brief_id else (None, link.title, link.byline)
        for link in brief.related_links.order_by("order", "pk")
    ]
    wanted_links = [(target, "", "") if target else (None, title, byline) for target, title, byline in plan.links]
    return stored_links == wanted_links


class _ExpertIndex:
    """Experts by name (case-insensitive); a name not yet stored gets a ("new", name) key."""

    def __init__(self):
        self.by_name = {}

    def key(self, name):
        folded = name.casefold()
        if folded not in self.by_name:
            expert = Expert.objects.filter(name__iexact=name).order_by("pk").first()
            self.by_name[folded] = expert.pk if expert else ("new", folded)
        return self.by_name[folded]

    def get_or_create(self, *, name, title):
        key = self.key(name)
        if isinstance(key, int):
            return key
        expert = Expert.objects.create(name=name, title=title, slug=_unique_slug(Expert, slugify(name) or "expert"))
        self.by_name[name.casefold()] = expert.pk
        return expert.pk


def _save_brief(plan, experts, *, user=None):
    parsed = plan.parsed
    from_state = plan.brief.status if plan.brief else Brief.Status.DRAFT
    brief_type = plan.brief_type or _get_or_create_type(parsed.type_name)
    plan.brief_type = brief_type
    brief = plan.brief or Brief(slug=_new_brief_slug(parsed))
    brief.type = brief_type
    for name, value in plan.fields.items():
        setattr(brief, name, value)
    # Field limits and the model's constraints, checked before saving (unique slugs are handled above).
    brief.full_clean(validate_unique=False)
    brief.save()
    if brief.status == Brief.Status.PUBLISHED and from_state != Brief.Status.PUBLISHED:
        workflow.record_import(brief=brief, user=user, from_state=from_state, source=Path(parsed.source).name)
    issues = [_get_or_create_issue(name) for name in plan.issue_names]
    brief.issues.set(issues)
    brief.quotes.all().delete()
    ExpertQuote.objects.bulk_create(
        ExpertQuote(
            brief=brief,
            expert_id=experts.get_or_create(name=quote.expert_name, title=quote.expert_title),
            text=quote.text,
            expert_title=quote.expert_title,
            order=order,
        )
        for order, quote in enumerate(parsed.quotes)
    )
    return brief


def _save_links(brief, links, briefs):
    brief.related_links.all().delete()
    rows = []
    for order, (target, title, byline) in enumerate(links):
        if isinstance(target, tuple):  # a brief created earlier in this run
            target = briefs[target[1]].pk
        if target is not None:
            rows.append(RelatedLink(brief=brief, target_brief_id=target, order=order))
        else:
            rows.append(RelatedLink(brief=brief, title=title, byline=byline, order=order))
    RelatedLink.objects.bulk_create(rows)


def _get_or_create_type(name):
    brief_type = _find_type(name)
    if brief_type is None:
        brief_type = BriefType.objects.create(name=name, slug=_unique_slug(BriefType, slugify(name) or "type"))
    return brief_type


def _get_or_create_issue(name):
    issue = Issue.objects.filter(name__iexact=name).first()
    return issue or Issue.objects.create(name=name, slug=_unique_slug(Issue, slugify(name) or "issue"))


def _new_brief_slug(parsed):
    """The title's slug; on collision with another brief, the date is appended (then a counter)."""
    base = slugify(parsed.title)[:200] or "brief"
    if not Brief.objects.filter(slug=base).exists():
        return base
    return _unique_slug(Brief, f"{base}-{parsed.date:%Y-%m-%d}")


def _unique_slug(model, base):
    slug, counter = base, 2
    while model.objects.filter(slug=slug).exists():
        slug = f"{base}-{counter}"
        counter += 1
    return slug
