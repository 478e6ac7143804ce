"""What the briefs' pages depend on, declared once for the cache layer (serving/): which models
are tagged, the schedule, and which tags each edit moves (model signals of everything public pages
show; ``BriefQuerySet.update()`` for writes that send none)."""

from django.apps import apps
from django.db.models import Min, Q
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save

from issues.dependencies import issue_chain
from serving import bump, register_schedule
from serving import tags as t
from serving.dependencies import m2m_ends, on_bulk_write, track

# A brief enters or leaves listings when one of these changes (or its issues, authors, quotes).
LISTED_BY = ("status", "published_at", "expires_at", "type_id")


def _before(instance, fields):
    """The row as stored before this save (``None`` for a new one)."""
    if instance.pk is None:
        return None
    return type(instance)._default_manager.filter(pk=instance.pk).values(*fields).first()


def brief_listings(brief_id, type_id):
    """The listings a brief is part of: every page that may list it, or stop listing it."""
    from .models import Brief, BriefIssue, ExpertQuote, RelatedLink

    tags = {t.every("brief"), t.listing("type", type_id)}
    tags |= issue_chain(BriefIssue.objects.filter(content_object_id=brief_id).values_list("tag_id", flat=True))
    authors = Brief.authors.through.objects.filter(brief_id=brief_id).values_list("expert_id", flat=True)
    quoted = ExpertQuote.objects.filter(brief_id=brief_id).values_list("expert_id", flat=True)
    tags |= t.listings("expert", {*authors, *quoted})
    # Briefs linking to it in their related reading list it only while it is live.
    linking = RelatedLink.objects.filter(target_brief_id=brief_id).values_list("brief_id", flat=True)
    tags |= t.bodies("brief", linking)
    return tags


def briefs_moved(pks, fields):
    """What a bulk write on the briefs ``pks`` moves: as an edit of each that changes whether and
    where it is listed (``QuerySet.update()``, ``bulk_create()``: serving.dependencies)."""
    from .models import Brief, BriefIssue, ExpertQuote, RelatedLink

    types = Brief.objects.filter(pk__in=pks).values_list("type_id", flat=True).distinct()
    tags = {*t.items("brief", pks), *t.bodies("brief", pks), t.every("brief"), t.LEAD_PICTURES}
    tags |= t.listings("type", types)
    tags |= issue_chain(BriefIssue.objects.filter(content_object_id__in=pks).values_list("tag_id", flat=True))
    authors = Brief.authors.through.objects.filter(brief_id__in=pks).values_list("expert_id", flat=True)
    quoted = ExpertQuote.objects.filter(brief_id__in=pks).values_list("expert_id", flat=True)
    tags |= t.listings("expert", {*authors, *quoted})
    linking = RelatedLink.objects.filter(target_brief_id__in=pks).values_list("brief_id", flat=True)
    return tags | t.bodies("brief", linking)


def quotes_moved(pks, fields):
    from .models import ExpertQuote

    rows = ExpertQuote.objects.filter(pk__in=pks).values_list("brief_id", "expert_id")
    briefs, experts = {brief for brief, _expert in rows}, {expert for _brief, expert in rows}
    return {t.SEARCH_FACETS, *t.bodies("brief", briefs), *t.listings("expert", experts)}


def on_brief_pages(model, *, cards=False):
    """For rows shown on their brief's page (links; corrections, which also move its card's date)."""

    def moved(pks, fields):
        briefs = set(model.objects.filter(pk__in=pks).values_list("brief_id", flat=True))
        return t.bodies("brief", briefs) | (t.items("brief", briefs) if cards else set())

    return moved


def next_change(now):
    """The next scheduled publication or expiry after ``now`` (``None`` if none is scheduled)."""
    from .models import Brief

    upcoming = Brief.objects.filter(status=Brief.Status.PUBLISHED).aggregate(
        publication=Min("published_at", filter=Q(published_at__gt=now)),
        expiry=Min("expires_at", filter=Q(expires_at__gt=now)),
    )
    moments = [moment for moment in upcoming.values() if moment is not None]
    return min(moments) if moments else None


def brief_pre_save(sender, instance, raw=False, **kwargs):
    instance.dossier_before = None if raw else _before(instance, (*LISTED_BY, "lead_image"))


def brief_saved(sender, instance, created=False, raw=False, **kwargs):
    if raw:
        return
    before = getattr(instance, "dossier_before", None)
    tags = {t.item("brief", instance.pk)}
    published = sender.Status.PUBLISHED
    was_published = before is not None and before["status"] == published
    if instance.status == published or was_published:
        now = {field: getattr(instance, field) for field in LISTED_BY}
        if before is None or any(before[field] != value for field, value in now.items()):
            tags |= brief_listings(instance.pk, instance.type_id)
            if before is not None:
                tags.add(t.listing("type", before["type_id"]))
        if before is None or bool(before["lead_image"]) != bool(instance.lead_image):
            tags.add(t.LEAD_PICTURES)
    bump(tags)


def brief_pre_delete(sender, instance, **kwargs):
    # Its issues, authors and quotes are deleted with it: find its listings while they exist.
    bump({t.item("brief", instance.pk), t.body("brief", instance.pk), *brief_listings(instance.pk, instance.type_id)})


def brief_issue_changed(sender, instance, **kwargs):
    bump({t.item("brief", instance.content_object_id), t.every("issue"), *issue_chain([instance.tag_id])})


def authors_changed(sender, instance, action, pk_set, reverse, **kwargs):
    """Cards show their authors; an expert's page lists what they wrote."""
    ends = m2m_ends(instance, action, pk_set, reverse, forward="authors", backward="authored_briefs")
    if ends is None:
        return
    brief_ids, expert_ids = ends
    bump({*t.items("brief", brief_ids), *t.listings("expert", expert_ids)})


def quote_pre_save(sender, instance, raw=False, **kwargs):
    instance.dossier_before = None if raw else _before(instance, ("expert_id",))


def quote_changed(sender, instance, raw=False, **kwargs):
    """A quote shows on its brief's page; the quoted expert's page lists the brief."""
    if raw:
        return
    before = getattr(instance, "dossier_before", None) or {}
    experts = {instance.expert_id, before.get("expert_id")} - {None}
    bump({t.body("brief", instance.brief_id), *t.listings("expert", experts)})


def related_link_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        bump({t.body("brief", instance.brief_id)})


def correction_changed(sender, instance, raw=False, **kwargs):
    """A correction shows on its brief's page and moves its "updated" date (cards, feeds)."""
    if not raw:
        bump({t.item("brief", instance.brief_id), t.body("brief", instance.brief_id)})


def type_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        bump({t.item("type", instance.pk), t.every("type")})


def brief_files_changed(sender, instance, raw=False, update_fields=None, **kwargs):
    """A brief's page shows its stored citations (briefs/brieffiles.py): storing or deleting them
    changes it. A new PDF or card changes no page (the card's URL names its version from the brief)."""
    if raw or (update_fields is not None and "citations" not in update_fields):
        return
    bump({t.body("brief", instance.brief_id)})


def connect():
    get = apps.get_model
    Brief = get("briefs.Brief")
    track(Brief, "brief", edits=False)  # its own handlers, above
    track(get("briefs.BriefType"), "type", edits=False)
    register_schedule("briefs", next_change, {t.every("brief")})
    on_bulk_write(Brief, briefs_moved)
    on_bulk_write(get("briefs.ExpertQuote"), quotes_moved)
    on_bulk_write(get("briefs.RelatedLink"), on_brief_pages(get("briefs.RelatedLink")))
    on_bulk_write(get("briefs.Correction"), on_brief_pages(get("briefs.Correction"), cards=True))
    on_bulk_write(get("briefs.BriefType"), lambda pks, fields: {*t.items("type", pks), t.every("type")})
    uid = "serving-"
    pre_save.connect(brief_pre_save, sender=Brief, dispatch_uid=uid + "brief-pre")
    post_save.connect(brief_saved, sender=Brief, dispatch_uid=uid + "brief")
    pre_delete.connect(brief_pre_delete, sender=Brief, dispatch_uid=uid + "brief-delete")
    for signal in (post_save, post_delete):
        name = "save" if signal is post_save else "delete"
        signal.connect(brief_issue_changed, sender=get("briefs.BriefIssue"), dispatch_uid=f"{uid}issue-link-{name}")
        signal.connect(quote_changed, sender=get("briefs.ExpertQuote"), dispatch_uid=f"{uid}quote-{name}")
        signal.connect(related_link_changed, sender=get("briefs.RelatedLink"), dispatch_uid=f"{uid}link-{name}")
        signal.connect(correction_changed, sender=get("briefs.Correction"), dispatch_uid=f"{uid}correction-{name}")
        signal.connect(type_changed, sender=get("briefs.BriefType"), dispatch_uid=f"{uid}type-{name}")
    pre_save.connect(quote_pre_save, sender=get("briefs.ExpertQuote"), dispatch_uid=uid + "quote-pre")
    m2m_changed.connect(authors_changed, sender=Brief.authors.through, dispatch_uid=uid + "authors")
    files = get("briefs.BriefFiles")
    post_save.connect(brief_files_changed, sender=files, dispatch_uid=uid + "files-save")
    post_delete.connect(brief_files_changed, sender=files, dispatch_uid=uid + "files-delete")
