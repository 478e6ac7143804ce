"""Which tags an edit moves (see tags.py): model signals of everything public pages show."""

from django.apps import apps
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save

from . import bump
from .tags import brief_listings, issue_chain

# A brief enters or leaves listings when one of these changes (or its issues, authors, quotes).
LISTED_BY = ("status", "published_at", "expires_at", "type_id")


def _before(instance, fields):
    """The row as stored before this save (``None`` for a new one)."""
    if instance.pk is None or instance._state.adding:
        return None
    return type(instance)._default_manager.filter(pk=instance.pk).values(*fields).first()


# The home page leads with the newest live brief with a picture: adding or removing one moves this.
LEAD_PICTURES = "lead-pictures"


def brief_pre_save(sender, instance, raw=False, **kwargs):
    instance._pagecache_before = None if raw else _before(instance, (*LISTED_BY, "lead_image"))


def brief_saved(sender, instance, created=False, raw=False, **kwargs):
    if raw:
        return
    before = getattr(instance, "_pagecache_before", None)
    tags = {f"brief:{instance.pk}"}
    published = sender.Status.PUBLISHED
    was_published = before is not None and before["status"] == published
    if instance.status == published or was_published:
        now = {field: getattr(instance, field) for field in LISTED_BY}
        if before is None or any(before[field] != value for field, value in now.items()):
            tags |= brief_listings(instance.pk, instance.type_id)
            if before is not None:
                tags.add(f"listing:type:{before['type_id']}")
        if before is None or bool(before["lead_image"]) != bool(instance.lead_image):
            tags.add(LEAD_PICTURES)
    bump(tags)


def brief_pre_delete(sender, instance, **kwargs):
    # Its issues, authors and quotes are deleted with it: find its listings while they exist.
    bump({f"brief:{instance.pk}", f"brief-body:{instance.pk}", *brief_listings(instance.pk, instance.type_id)})


def brief_issue_changed(sender, instance, **kwargs):
    bump({f"brief:{instance.content_object_id}", "issues", *issue_chain([instance.tag_id])})


def authors_changed(sender, instance, action, pk_set, reverse, **kwargs):
    """Cards show their authors; an expert's page lists what they wrote."""
    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    if reverse:  # expert.authored_briefs
        brief_ids, expert_ids = pk_set or set(instance.authored_briefs.values_list("pk", flat=True)), {instance.pk}
    else:
        brief_ids, expert_ids = {instance.pk}, pk_set or set(instance.authors.values_list("pk", flat=True))
    bump({*(f"brief:{pk}" for pk in brief_ids), *(f"listing:expert:{pk}" for pk in expert_ids)})


def quote_pre_save(sender, instance, raw=False, **kwargs):
    instance._pagecache_before = None if raw else _before(instance, ("expert_id",))


def quote_changed(sender, instance, raw=False, **kwargs):
    """A quote shows on its brief's page; the quoted expert's page lists the brief."""
    if raw:
        return
    before = getattr(instance, "_pagecache_before", None) or {}
    experts = {instance.expert_id, before.get("expert_id")} - {None}
    bump({f"brief-body:{instance.brief_id}", *(f"listing:expert:{pk}" for pk in experts)})


def related_link_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        bump({f"brief-body:{instance.brief_id}"})


def correction_changed(sender, instance, raw=False, **kwargs):
    """A correction shows on its brief's page and moves its "updated" date (cards, feeds)."""
    if not raw:
        bump({f"brief:{instance.brief_id}", f"brief-body:{instance.brief_id}"})


def expert_changed(sender, instance, raw=False, **kwargs):
    """An expert's name shows wherever they wrote or are quoted (those pages carry their tag); their
    issues' pages (and their ancestors', which list their sub-issues' experts) list them, or stop
    listing them when they leave."""
    if not raw:
        issues = instance.issues.values_list("pk", flat=True) if instance.pk else ()
        bump({f"expert:{instance.pk}", "experts", *issue_chain(issues)})


def expert_issues_changed(sender, instance, action, pk_set, reverse, **kwargs):
    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    if reverse:  # issue.experts
        expert_ids, issue_ids = pk_set or set(instance.experts.values_list("pk", flat=True)), {instance.pk}
    else:
        expert_ids, issue_ids = {instance.pk}, pk_set or set(instance.issues.values_list("pk", flat=True))
    bump({*(f"expert:{pk}" for pk in expert_ids), *issue_chain(issue_ids)})  # ancestors list them too


def issue_pre_save(sender, instance, raw=False, **kwargs):
    instance._pagecache_before = None if raw else _before(instance, ("parent_id",))


def issue_changed(sender, instance, raw=False, **kwargs):
    """An issue's name shows on its page, its sub-issues' pages and its briefs' pages; moving it
    changes what its old and new ancestors list."""
    if raw:
        return
    before = getattr(instance, "_pagecache_before", None) or {}
    parents = {instance.parent_id, before.get("parent_id")} - {None}
    bump({f"issue:{instance.pk}", f"listing:issue:{instance.pk}", "issues", *issue_chain(parents)})


def type_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        bump({f"type:{instance.pk}", "types"})


# --- #21: what is made once per version (briefs/brieffiles.py) -------------------------------------
def brief_files_changed(sender, instance, raw=False, update_fields=None, **kwargs):
    """A brief's page shows its stored citations: storing or deleting them changes it. A new PDF
    or card changes no page (the card's URL names its version from the brief itself)."""
    if raw or (update_fields is not None and "citations" not in update_fields):
        return
    bump({f"brief-body:{instance.brief_id}"})


def connect():
    get = apps.get_model
    Brief, Expert = get("briefs.Brief"), get("experts.Expert")
    uid = "pagecache-"
    pre_save.connect(brief_pre_save, sender=Brief, dispatch_uid=uid + "brief-pre")
    post_save.connect(brief_saved, sender=Brief, dispatch_uid=uid + "brief")
    pre_delete.connect(brief_pre_delete, sender=Brief, dispatch_uid=uid + "brief-delete")
    for signal in (post_save, post_delete):
        name = "save" if signal is post_save else "delete"
        signal.connect(brief_issue_changed, sender=get("briefs.BriefIssue"), dispatch_uid=f"{uid}issue-link-{name}")
        signal.connect(quote_changed, sender=get("briefs.ExpertQuote"), dispatch_uid=f"{uid}quote-{name}")
        signal.connect(related_link_changed, sender=get("briefs.RelatedLink"), dispatch_uid=f"{uid}link-{name}")
        signal.connect(correction_changed, sender=get("briefs.Correction"), dispatch_uid=f"{uid}correction-{name}")
        signal.connect(expert_changed, sender=Expert, dispatch_uid=f"{uid}expert-{name}")
        signal.connect(issue_changed, sender=get("issues.Issue"), dispatch_uid=f"{uid}issue-{name}")
        signal.connect(type_changed, sender=get("briefs.BriefType"), dispatch_uid=f"{uid}type-{name}")
    pre_save.connect(quote_pre_save, sender=get("briefs.ExpertQuote"), dispatch_uid=uid + "quote-pre")
    pre_save.connect(issue_pre_save, sender=get("issues.Issue"), dispatch_uid=uid + "issue-pre")
    m2m_changed.connect(authors_changed, sender=Brief.authors.through, dispatch_uid=uid + "authors")
    m2m_changed.connect(expert_issues_changed, sender=Expert.issues.through, dispatch_uid=uid + "expert-issues")
    files = get("briefs.BriefFiles")  # #21
    post_save.connect(brief_files_changed, sender=files, dispatch_uid=uid + "files-save")
    post_delete.connect(brief_files_changed, sender=files, dispatch_uid=uid + "files-delete")
