"""What pages showing experts depend on, declared once for the cache layer (serving/)."""

from django.db.models.signals import m2m_changed, post_delete, post_save

from issues.dependencies import issue_chain
from serving import bump
from serving import tags as t
from serving.dependencies import m2m_ends, on_bulk_write, track


def expert_changed(sender, instance, raw=False, **kwargs):
    """An expert's name shows wherever they wrote or are quoted (those pages carry their tag); their
    issues' pages (and their ancestors', which list their sub-issues' experts) list them, or stop
    listing them when they leave."""
    if not raw:
        issues = instance.issues.values_list("pk", flat=True) if instance.pk else ()
        bump({t.item("expert", instance.pk), t.every("expert"), *issue_chain(issues)})


def expert_issues_changed(sender, instance, action, pk_set, reverse, **kwargs):
    ends = m2m_ends(instance, action, pk_set, reverse, forward="issues", backward="experts")
    if ends is None:
        return
    expert_ids, issue_ids = ends
    bump({*t.items("expert", expert_ids), *issue_chain(issue_ids)})  # ancestors list them too


def experts_moved(pks, fields):
    """What a bulk write on the experts ``pks`` moves (serving.dependencies)."""
    from .models import Expert

    issues = Expert.issues.through.objects.filter(expert_id__in=pks).values_list("issue_id", flat=True)
    return {*t.items("expert", pks), t.every("expert"), *issue_chain(issues)}


def connect():
    from .models import Expert

    track(Expert, "expert", edits=False)  # its own handlers, below
    on_bulk_write(Expert, experts_moved)
    post_save.connect(expert_changed, sender=Expert, dispatch_uid="serving-expert-save")
    post_delete.connect(expert_changed, sender=Expert, dispatch_uid="serving-expert-delete")
    m2m_changed.connect(expert_issues_changed, sender=Expert.issues.through, dispatch_uid="serving-expert-issues")
