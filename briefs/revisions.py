"""Revisions: every save of a brief is kept; a live brief's edits wait as pending revisions.

A revision's ``data`` is the brief's content (not its workflow state: status and dates belong
to the workflow and are not versioned)::

    {"v": 1, "title": ..., "slug": ..., "type": <id>, "summary": ..., "developments": <html>,
     "body": <html>, "authors": [<expert id>...], "issues": [<issue id>...],
     "quotes": [{"expert": <id>, "text": ..., "expert_title": ..., "order": n}...],
     "related_links": [{"target_brief": <id or null>, "url": ..., "title": ..., "byline": ...,
                        "order": n}...],
     "lead_image": <storage name, "" for none>, "lead_image_alt": ..., "lead_image_caption": ...,
     "lead_image_credit": ...}

The lead picture keys came with #13 (``"v": 2``); revisions saved before lack them and leave the
brief's picture as it is. A picture uploaded for a pending revision is stored at once (under a
name with a random part, so nobody finds it by guessing) with its renditions, for the preview;
readers see it only once the revision is published.

The brief's own row (and its quote/link rows) is always the live copy. On a brief that is not
published, a save writes the row and records a revision already *applied*. On a published
brief, a save records a *pending* revision and leaves the row alone, so readers keep the live
version until ``publish_revision`` applies it. ``briefs.edits.save_edit`` is where an edit is
saved by that rule.
"""

import secrets
from pathlib import PurePath

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Max
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from experts.models import Expert
from issues.models import Issue
from pictures.renditions import make_renditions

from . import notifications
from .models import Brief, BriefType, ExpertQuote, RelatedLink, Revision, Transition

DATA_VERSION = 2  # 2: the lead picture (#13)
CONTENT_FIELDS = ["title", "slug", "summary", "developments", "body"]
PICTURE_TEXT_FIELDS = ["lead_image_alt", "lead_image_caption", "lead_image_credit"]
QUOTE_FIELDS = ["text", "expert_title", "order"]
LINK_FIELDS = ["url", "title", "byline", "order"]


def snapshot(brief):
    """The brief's content as stored in the database (its live copy), in revision ``data`` form."""
    brief = Brief.objects.get(pk=brief.pk)
    return {
        "v": DATA_VERSION,
        **{name: getattr(brief, name) for name in CONTENT_FIELDS},
        "type": brief.type_id,
        "authors": sorted(brief.authors.values_list("pk", flat=True)),
        "issues": sorted(brief.issues.values_list("pk", flat=True)),
        "quotes": [
            {"expert": q.expert_id, **{f: getattr(q, f) for f in QUOTE_FIELDS}}
            for q in ExpertQuote.objects.filter(brief=brief).order_by("order", "pk")
        ],
        "related_links": [
            {"target_brief": link.target_brief_id, **{f: getattr(link, f) for f in LINK_FIELDS}}
            for link in RelatedLink.objects.filter(brief=brief).order_by("order", "pk")
        ],
        "lead_image": brief.lead_image.name or "",
        **{name: getattr(brief, name) for name in PICTURE_TEXT_FIELDS},
    }


def store_picture(brief, upload):
    """Store ``upload`` (a validated image) as a picture of ``brief`` without touching the brief's
    row, make its renditions, and return its storage name."""
    field = Brief._meta.get_field("lead_image")
    path = PurePath(upload.name)
    # The random part keeps a picture that is not live yet from being found by its name.
    filename = f"{path.stem[:40]}-{secrets.token_hex(8)}{path.suffix.lower()}"
    name = field.storage.save(field.generate_filename(brief, filename), upload, max_length=field.max_length)
    shadow = Brief(pk=brief.pk)
    shadow.lead_image = name
    make_renditions(shadow, "lead_image")
    return name


def _picture_name(brief, value):
    """The storage name a form's cleaned ``lead_image`` stands for: a new upload is stored."""
    if isinstance(value, FieldFile):
        return value.name or ""
    if isinstance(value, File):
        return store_picture(brief, value)
    return ""  # False (the "clear" box) or nothing


def set_picture(brief, data):
    """Put revision ``data``'s lead picture on ``brief`` (in memory; the caller saves or renders).

    Revisions from before pictures were kept leave the brief's picture alone; a picture whose file
    has gone from storage since is left out, like a deleted expert.
    """
    if "lead_image" not in data:
        return
    name = data["lead_image"]
    if name and not Brief._meta.get_field("lead_image").storage.exists(name):
        name = ""
    if name != (brief.lead_image.name or ""):
        brief.lead_image = name  # reads the new picture's width and height
    for field in PICTURE_TEXT_FIELDS:
        setattr(brief, field, data[field])


def data_from_forms(form, formsets):
    """Revision ``data`` from a valid admin brief form and its inline formsets, without saving the
    brief (a newly uploaded picture is stored, not put on the brief).

    Used for an edit of a published brief (it becomes a pending revision) and for previewing
    unsaved form input.
    """
    cleaned = form.cleaned_data
    instance = form.instance
    data = {"v": DATA_VERSION}
    for name in CONTENT_FIELDS:
        data[name] = cleaned[name] if name in cleaned else getattr(instance, name)
    brief_type = cleaned.get("type")
    data["type"] = brief_type.pk if brief_type else instance.type_id
    for name in ("authors", "issues"):
        if name in cleaned:
            data[name] = sorted(obj.pk for obj in cleaned[name])
        elif instance.pk:
            data[name] = sorted(getattr(instance, name).values_list("pk", flat=True))
        else:
            data[name] = []
    rows = {"quotes": [], "related_links": []}
    for formset in formsets:
        key = formset.prefix if formset.prefix in rows else None
        if key is None:
            continue
        for row_form in formset.forms:
            if row_form in formset.deleted_forms or not row_form.has_changed() and row_form.instance.pk is None:
                continue
            row = row_form.cleaned_data
            if not row:
                continue
            if key == "quotes":
                rows[key].append({"expert": row["expert"].pk, **{f: row.get(f) or _blank(f) for f in QUOTE_FIELDS}})
            else:
                target = row.get("target_brief")
                rows[key].append(
                    {"target_brief": target.pk if target else None, **{f: row.get(f) or _blank(f) for f in LINK_FIELDS}}
                )
    for key, items in rows.items():
        data[key] = sorted(items, key=lambda item: item["order"])
    # The picture field's initial value is the working copy's picture (briefs.admin.revisions), so
    # "unchanged" keeps that one; a new upload is stored now, "clear" removes it.
    if "lead_image" in cleaned:
        data["lead_image"] = _picture_name(instance, cleaned["lead_image"])
    else:
        data["lead_image"] = instance.lead_image.name or ""
    for name in PICTURE_TEXT_FIELDS:
        data[name] = cleaned[name] if name in cleaned else getattr(instance, name)
    return data


def _blank(field):
    return 0 if field == "order" else ""


def latest_revision(brief):
    return Revision.objects.filter(brief=brief).select_related("created_by").order_by("-number").first()


def live_revision(brief):
    """The revision whose content is in the brief's row (the newest one applied), if any."""
    return (
        Revision.objects.filter(brief=brief, applied_at__isnull=False)
        .select_related("created_by")
        .order_by("-applied_at", "-number")
        .first()
    )


def pending_revision(brief):
    """The newest revision not yet applied to the brief's row, if it is newer than the live one."""
    latest = latest_revision(brief)
    if latest is None or latest.applied_at is not None:
        return None
    live = live_revision(brief)
    return latest if live is None or latest.number > live.number else None


def working_copy(brief):
    """What editors keep editing: the pending revision's data, else the live row's content."""
    pending = pending_revision(brief)
    return pending.data if pending else snapshot(brief)


def _next_number(brief):
    return (Revision.objects.filter(brief=brief).aggregate(n=Max("number"))["n"] or 0) + 1


@transaction.atomic
def save_revision(*, brief, user, data=None, restored_from=None):
    """Record a revision of ``brief``.

    Without ``data``: the brief's row as it is now (call it after saving the brief and its
    inlines); the revision is marked applied. With ``data``: content that is not in the row (an
    edit of a published brief), kept as a pending revision.
    """
    Brief.objects.select_for_update().filter(pk=brief.pk).first()  # numbers one at a time
    applied = data is None
    return Revision.objects.create(
        brief=brief,
        number=_next_number(brief),
        created_by=user if user and user.is_authenticated else None,
        applied_at=timezone.now() if applied else None,
        restored_from=restored_from,
        data=snapshot(brief) if applied else data,
    )


def ensure_baseline(*, brief):
    """Before the first recorded edit of a brief made before revisions existed (or by a script),
    keep its current content as revision 1 so that edit can be compared with what it replaced."""
    if not Revision.objects.filter(brief=brief).exists():
        save_revision(brief=brief, user=None)


def check_data(data, *, brief):
    """Refuse content that can no longer be applied (a slug since taken by another brief)."""
    if Brief.objects.filter(slug=data["slug"]).exclude(pk=brief.pk).exists():
        raise ValidationError(
            f"The address “{data['slug']}” of that revision is now used by another brief; "
            "change the slug in the form instead."
        )


def apply_data(brief, data, *, fill_expert_titles=False):
    """Write revision ``data`` to the brief's row, issues, authors, quotes and links.

    Things deleted since the revision was made (an expert, an issue, a linked brief) are left
    out rather than failing. Call inside a transaction.
    """
    check_data(data, brief=brief)
    for name in CONTENT_FIELDS:
        setattr(brief, name, data[name])
    set_picture(brief, data)
    if BriefType.objects.filter(pk=data["type"]).exists():
        brief.type_id = data["type"]
    brief.save()
    brief.authors.set(Expert.objects.filter(pk__in=data["authors"]))
    brief.issues.set(Issue.objects.filter(pk__in=data["issues"]))
    experts = Expert.objects.in_bulk([q["expert"] for q in data["quotes"]])
    quotes = [
        {
            "expert_id": q["expert"],
            "text": q["text"],
            "expert_title": q["expert_title"] or (experts[q["expert"]].title if fill_expert_titles else ""),
            "order": q["order"],
        }
        for q in data["quotes"]
        if q["expert"] in experts
    ]
    write_rows(ExpertQuote, brief, quotes)
    targets = set(
        Brief.objects.filter(pk__in=[link["target_brief"] for link in data["related_links"]]).values_list(
            "pk", flat=True
        )
    )
    links = [
        {"target_brief_id": link["target_brief"], **{f: link[f] for f in LINK_FIELDS}}
        for link in data["related_links"]
        if link["target_brief"] is None or (link["target_brief"] in targets and link["target_brief"] != brief.pk)
    ]
    write_rows(RelatedLink, brief, links)


def write_rows(model, brief, rows):
    """Make ``brief``'s quotes or links (``model``) the ``rows`` given (field values, in order).

    The stored rows are reused in order, and only what differs is written: their ids stay, so a change
    form opened before this write still posts ids that exist (and is refused as stale, not as invalid),
    and pages showing an unchanged row are not dropped for it.
    """
    stored = list(model.objects.filter(brief=brief).order_by("order", "pk"))
    for row, values in zip(stored, rows, strict=False):
        changed = [name for name, value in values.items() if getattr(row, name) != value]
        for name in changed:
            setattr(row, name, values[name])
        if changed:
            row.save(update_fields=changed)
    model.objects.filter(pk__in=[row.pk for row in stored[len(rows) :]]).delete()
    model.objects.bulk_create(model(brief=brief, **values) for values in rows[len(stored) :])


@transaction.atomic
def restore_revision(*, revision, user):
    """Make ``revision``'s content the working copy again, as a new revision (nothing is lost).

    On a published brief the restored content becomes a pending revision (unless it is the live
    content: then there are no pending changes any more); otherwise it is written to the brief at
    once. Raises ValidationError if it can no longer be applied.
    """
    brief = Brief.objects.select_for_update().get(pk=revision.brief_id)
    check_data(revision.data, brief=brief)
    if brief.status == Brief.Status.PUBLISHED:
        if revision.data == snapshot(brief):
            # Restoring what readers already see drops the pending changes (they stay in the history).
            return save_revision(brief=brief, user=user, restored_from=revision.number)
        return save_revision(brief=brief, user=user, data=revision.data, restored_from=revision.number)
    ensure_baseline(brief=brief)
    apply_data(brief, revision.data)
    return save_revision(brief=brief, user=user, restored_from=revision.number)


@transaction.atomic
def publish_revision(*, revision, user, checks=()):
    """Apply a (pending) revision to the live brief: its fields, quotes, links, issues, authors.

    Only users with ``briefs.publish_brief`` may; anyone else gets PermissionDenied and nothing
    changes. Quotes get the expert's current title when they have none, as publishing does.
    """
    if not user.has_perm("briefs.publish_brief"):
        raise PermissionDenied("Only editors may publish changes to a brief.")
    brief = Brief.objects.select_for_update().get(pk=revision.brief_id)
    apply_data(brief, revision.data, fill_expert_titles=True)
    revision.applied_at = timezone.now()
    revision.save(update_fields=["applied_at"])
    # Kept in the workflow history beside the state changes: who put which changes live, when.
    step = Transition.objects.create(
        brief=brief,
        user=user,
        from_state=brief.status,
        to_state=brief.status,
        comment=f"Published pending changes (revision {revision.number}).",
        at=revision.applied_at,
        checks=[check.as_dict() for check in checks],
    )
    transaction.on_commit(lambda: notifications.changes_published(brief=brief, transition=step, revision=revision))
    return brief
