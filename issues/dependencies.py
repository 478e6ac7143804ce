"""What pages showing issues depend on, declared once for the cache layer (serving/)."""

from django.db.models.signals import post_delete, post_save, pre_save

from serving import bump
from serving import tags as t
from serving.dependencies import on_bulk_write, track


def issue_chain(issue_ids):
    """The listing of each issue and of its ancestors (their pages list these issues' items)."""
    from .models import Issue

    parents = dict(Issue.objects.values_list("pk", "parent_id"))
    tags = set()
    for pk in issue_ids:
        seen = set()
        while pk is not None and pk not in seen:
            seen.add(pk)
            tags.add(t.listing("issue", pk))
            pk = parents.get(pk)
    return tags


def issue_pre_save(sender, instance, raw=False, **kwargs):
    instance.dossier_parent_before = None
    if not raw and instance.pk is not None:
        instance.dossier_parent_before = (
            sender.objects.filter(pk=instance.pk).values_list("parent_id", flat=True).first()
        )


def issue_changed(sender, instance, raw=False, **kwargs):
    """An issue's name shows on its page, its sub-issues' pages and its items' pages; moving it
    changes what its old and new ancestors list."""
    if raw:
        return
    parents = {instance.parent_id, getattr(instance, "dossier_parent_before", None)} - {None}
    bump({t.item("issue", instance.pk), t.listing("issue", instance.pk), t.every("issue"), *issue_chain(parents)})


def issues_moved(pks, fields):
    """What a bulk write on the issues ``pks`` moves (serving.dependencies)."""
    from .models import Issue

    parents = Issue.objects.filter(pk__in=pks).values_list("parent_id", flat=True)
    return {*t.items("issue", pks), *t.listings("issue", pks), t.every("issue"), *issue_chain(set(parents) - {None})}


def connect():
    from .models import Issue

    track(Issue, "issue", edits=False)  # its own handlers, below
    on_bulk_write(Issue, issues_moved)
    pre_save.connect(issue_pre_save, sender=Issue, dispatch_uid="serving-issue-pre")
    post_save.connect(issue_changed, sender=Issue, dispatch_uid="serving-issue-save")
    post_delete.connect(issue_changed, sender=Issue, dispatch_uid="serving-issue-delete")
