"""Writes the demo content into the database, idempotently.

Rows are matched by slug and saved only when a value differs, so a second run writes nothing
(not even ``updated_at``). Quotes and related links are replaced only when a brief's list differs.
Dates are ages before an anchor: the first load anchors at the current hour, later loads recover
that anchor from a brief already in the database, so re-running never shifts them.
"""

import io
from collections import Counter, defaultdict

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from briefs import tasks
from briefs.models import Brief, BriefType, ExpertQuote, RelatedLink
from experts.models import Expert
from issues.models import Issue
from search import index as search_index
from serving import invalidate_everything

from .content import BRIEF_TYPES, EXPERTS, INSTITUTE, ISSUES
from .generate import brief_specs
from .pictures import sync_picture

DEMO_LOGIN = {"url": "/admin/", "username": "admin", "password": "admin"}
MODELS = ["BriefType", "Issue", "Expert", "Brief", "ExpertQuote", "RelatedLink", "User"]


class Report:
    """Created / updated / unchanged / deleted rows per model, and notes for the operator."""

    def __init__(self):
        self.counts = defaultdict(Counter)
        self.notes = []

    def add(self, model, state, n=1):
        self.counts[model][state] += n

    @property
    def changed(self):
        return any(c["created"] or c["updated"] or c["deleted"] for c in self.counts.values())

    def lines(self):
        for model in MODELS:
            c = self.counts[model]
            parts = [f"{c[state]} {state}" for state in ("created", "updated", "unchanged", "deleted") if c[state]]
            yield f"{model + ':':13} {', '.join(parts) or 'none'}"
        yield "Demo content loaded." if self.changed else "Nothing changed: the demo content was already loaded."
        yield from self.notes


def differs(obj, name, value):
    field = obj._meta.get_field(name)
    if field.many_to_one:
        return getattr(obj, field.attname) != (value.pk if value is not None else None)
    return getattr(obj, name) != value


def existing_rows(model, slugs, *prefetch):
    """The demo rows already there, by slug, fetched once (with what the comparisons need)."""
    return {obj.slug: obj for obj in model.objects.filter(slug__in=slugs).prefetch_related(*prefetch)}


def sync_row(model, obj, *, slug, **values):
    """Create the row (``obj`` is None) or update the fields that differ; return (object, state)."""
    if obj is None:
        obj = model(slug=slug, **values)
        obj.save()
        return obj, "created"
    changed = [name for name, value in values.items() if differs(obj, name, value)]
    for name in changed:
        setattr(obj, name, values[name])
    if changed:
        obj.save()
    return obj, "updated" if changed else "unchanged"


def sync_m2m(manager, wanted, *, state):
    """Point a many-to-many at ``wanted``; True if an existing row's set had to change.

    Reads the prefetched set (no query); a row created just now has nothing to compare.
    """
    if state == "created":
        manager.add(*wanted)
        return False
    if {obj.pk for obj in manager.all()} == {obj.pk for obj in wanted}:
        return False
    manager.set(wanted)
    return True


def sync_children(manager, model, wanted, report, *, state):
    """Replace a brief's quotes or links when (and only when) the ordered list differs."""
    if state != "created":
        fields = list(wanted[0]) if wanted else []
        rows = sorted(manager.all(), key=lambda row: (row.order, row.pk))  # prefetched
        if [{name: getattr(row, name) for name in fields} for row in rows] == wanted:
            report.add(model.__name__, "unchanged", len(wanted))
            return False
        report.add(model.__name__, "deleted", model.objects.filter(brief=manager.instance).delete()[0])
    model.objects.bulk_create([model(brief=manager.instance, **row) for row in wanted])
    report.add(model.__name__, "created", len(wanted))
    return True


def portrait(name, index):
    """A plain placeholder portrait: the expert's initials on a coloured square (PNG bytes)."""
    from PIL import Image, ImageDraw, ImageFont

    colours = ["#1f4e79", "#7a3b2e", "#2e6b4f", "#5b4a8a", "#8a6d1f", "#3d5a66"]
    image = Image.new("RGB", (240, 240), colours[index % len(colours)])
    initials = "".join(word[0] for word in name.split()[:2])
    ImageDraw.Draw(image).text((120, 120), initials, fill="white", anchor="mm", font=ImageFont.load_default(96))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def sync_photo(expert, index):
    """Give the expert a generated photo; the file is rewritten only if it is missing."""
    name = f"experts/demo-{expert.slug}.png"
    if not default_storage.exists(name):
        default_storage.save(name, ContentFile(portrait(expert.name, index)))
    if expert.photo != name:
        expert.photo = name
        expert.save(update_fields=["photo", "photo_width", "photo_height", "updated_at"])
        return True
    return False


def load_types(report):
    types, existing = {}, existing_rows(BriefType, [row[0] for row in BRIEF_TYPES])
    for slug, name, description, sort_order in BRIEF_TYPES:
        types[slug], state = sync_row(
            BriefType, existing.get(slug), slug=slug, name=name, description=description, sort_order=sort_order
        )
        report.add("BriefType", state)
    return types


def load_issues(report):
    issues, existing = {}, existing_rows(Issue, [row[0] for row in ISSUES])
    for slug, name, parent, featured, sort_order, description in ISSUES:
        issues[slug], state = sync_row(
            Issue,
            existing.get(slug),
            slug=slug,
            name=name,
            parent=issues[parent] if parent else None,
            featured=featured,
            sort_order=sort_order,
            description=description,
        )
        if featured:  # featured issues show a picture on the home page (#13)
            touched = sync_picture(issues[slug], "image", "issues", alt=f"An abstract landscape standing for {name}")
            state = "updated" if state == "unchanged" and touched else state
        report.add("Issue", state)
    return issues


def load_experts(report, issues):
    experts, existing = {}, existing_rows(Expert, [row[0] for row in EXPERTS], "issues")
    for index, (slug, name, title, program, active, issue_slugs, bio) in enumerate(EXPERTS):
        expert, state = sync_row(
            Expert, existing.get(slug), slug=slug, name=name, title=title, program=program, bio=bio, is_active=active
        )
        touched = sync_m2m(expert.issues, [issues[s] for s in issue_slugs], state=state)
        touched |= sync_photo(expert, index)
        report.add("Expert", "updated" if state == "unchanged" and touched else state)
        experts[slug] = expert
    return experts


def find_anchor(specs, existing, now):
    """The moment ages count back from: recovered from the briefs of an earlier load, else this hour.

    Most demo briefs agree on it; taking the most common value means one brief re-dated by hand
    in the admin does not shift all the others.
    """
    candidates = Counter(
        existing[spec["slug"]].published_at + spec["age"]
        for spec in specs
        if spec["age"] is not None and spec["slug"] in existing and existing[spec["slug"]].published_at
    )
    if candidates:
        return candidates.most_common(1)[0][0]
    return now.replace(minute=0, second=0, microsecond=0)


def publication_dates(spec, anchor, now, existing):
    if spec.get("schedule_in"):
        # Keep the scheduled time while it is still ahead; once it has passed, schedule anew so the
        # demo always shows a brief waiting to go live.
        if existing and existing.status == Brief.Status.PUBLISHED and (existing.published_at or now) > now:
            return existing.published_at, None
        return now.replace(second=0, microsecond=0) + spec["schedule_in"], None
    if spec["age"] is None:
        return None, None
    published_at = anchor - spec["age"]
    expires_at = published_at + spec["expires_after"] if spec.get("expires_after") else None
    return published_at, expires_at


def load_briefs(report, *, types, issues, experts, now):
    specs = brief_specs()
    existing = existing_rows(Brief, [spec["slug"] for spec in specs], "issues", "authors", "quotes", "related_links")
    anchor = find_anchor(specs, existing, now)
    briefs, states = {}, {}
    for spec in specs:
        published_at, expires_at = publication_dates(spec, anchor, now, existing.get(spec["slug"]))
        brief, state = sync_row(
            Brief,
            existing.get(spec["slug"]),
            slug=spec["slug"],
            title=spec["title"],
            type=types[spec["type"]],
            summary=spec["summary"],
            developments=spec["developments"],
            body=spec["body"],
            status=spec["status"],
            published_at=published_at,
            expires_at=expires_at,
        )
        touched = sync_m2m(brief.issues, [issues[s] for s in spec["issues"]], state=state)
        touched |= sync_m2m(brief.authors, [experts[s] for s in spec["authors"]], state=state)
        if spec.get("picture"):
            touched |= sync_picture(
                brief, "lead_image", "briefs/lead", alt=spec["picture"],
                lead_image_caption="An illustration drawn for the demo content.",
                lead_image_credit=f"{INSTITUTE} demo",
            )  # fmt: skip
        briefs[spec["slug"]], states[spec["slug"]] = brief, (state, touched)
    # Second pass: related links may point at any demo brief, so all of them must exist first.
    for spec in specs:
        brief = briefs[spec["slug"]]
        quotes = [
            {"expert_id": experts[slug].pk, "text": text, "expert_title": experts[slug].title, "order": order}
            for order, (slug, text) in enumerate(spec["quotes"])
        ]
        links = [
            {"target_brief_id": briefs[slug].pk, "url": "", "title": "", "byline": ""}
            for slug in filter(None, [spec["related_brief"]])
        ]
        links += [{"target_brief_id": None, **link} for link in spec["outside_links"]]
        links = [{**link, "order": order} for order, link in enumerate(links)]
        state, touched = states[spec["slug"]]
        touched |= sync_children(brief.quotes, ExpertQuote, quotes, report, state=state)
        touched |= sync_children(brief.related_links, RelatedLink, links, report, state=state)
        report.add("Brief", "updated" if state == "unchanged" and touched else state)
    return briefs


def ensure_demo_login(report, *, debug):
    """An ``admin``/``admin`` superuser for local use, only with DEBUG on; never resets a password."""
    if not debug:
        report.notes.append("DEBUG is off: skipped creating the demo login (use createsuperuser).")
        return
    user_model = get_user_model()
    if user_model.objects.filter(username=DEMO_LOGIN["username"]).exists():
        report.add("User", "unchanged")
        report.notes.append(
            f"Log in at {DEMO_LOGIN['url']} as {DEMO_LOGIN['username']} (existing user; password left unchanged)."
        )
        return
    user_model.objects.create_superuser(
        username=DEMO_LOGIN["username"], email="admin@example.org", password=DEMO_LOGIN["password"]
    )
    report.add("User", "created")
    report.notes.append(
        f"Log in at {DEMO_LOGIN['url']} as user {DEMO_LOGIN['username']!r}, password {DEMO_LOGIN['password']!r}."
    )


def load_demo(*, debug, now=None):
    """Load (or refresh) all demo content in one transaction; return a ``Report``."""
    now = now or timezone.now()
    report = Report()
    with transaction.atomic():
        types = load_types(report)
        issues = load_issues(report)
        experts = load_experts(report, issues)
        load_briefs(report, types=types, issues=issues, experts=experts, now=now)
        ensure_demo_login(report, debug=debug)
        invalidate_everything()  # quotes and links are written with bulk_create, which sends no signals
        search_index.rebuild()  # for the same reason (#12)
        # The briefs' citations, PDFs and cards: the worker (`make run` starts it) makes any missing,
        # on a database loaded before #21 too.
        tasks.enqueue_make_missing()
    return report
