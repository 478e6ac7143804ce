"""What pages depend on, declared once per content type; and writes that send no signals still
move their tags.

``track(model, label)`` is all a simple content type needs: every instance a page loads tags the page
``<label>:<pk>``, and saving or deleting one moves that tag and the site-wide listing of its kind
(``every(label)``). A content type with richer rules (a brief is listed by issue, expert and type)
passes ``edits=False`` and connects its own signal handlers in its ``dependencies.py``.

A content type's ``dependencies.py`` moves tags from model signals; ``QuerySet.update()`` and
``bulk_create()`` send none (a bulk admin action, a shell, an import). Its querysets derive from
``TrackedQuerySet``, which moves, for the rows they touch, what ``on_bulk_write(model, tags_of)``
says: ``tags_of(pks, fields)`` for the rows' keys and the fields written (``None``: created rows),
read before and after the write (a row leaving a listing and joining another moves both). A tracked
model without a registered function moves its rows' tags and its listing, and an unknown one
everything.
"""

from django.db import models
from django.db.models.signals import post_delete, post_save

from . import collect
from . import tags as t
from .store import bump

_tags_of = {}  # model label -> tags_of(pks, fields)


def track(model, label, *, edits=True):
    """Pages showing instances of ``model`` depend on them (see the module docstring)."""
    t.register(model, label)
    collect.tag_loaded(model)
    if edits:
        uid = f"serving-edits-{model._meta.label_lower}"
        post_save.connect(_edited, sender=model, dispatch_uid=uid + "-save")
        post_delete.connect(_edited, sender=model, dispatch_uid=uid + "-delete")


def _edited(sender, instance, raw=False, **kwargs):
    if not raw:
        label = t.label_of(sender)
        bump({t.item(label, instance.pk), t.every(label)})


def m2m_ends(instance, action, pk_set, reverse, *, forward, backward):
    """For an ``m2m_changed`` signal: ``(ids on the model's side, ids on the related side)`` the
    change touches, or ``None`` for the actions that move nothing (pre_add, post_clear...).
    ``forward``/``backward`` name the relation from each side (``"authors"``, ``"authored_briefs"``);
    a clear (no ``pk_set``) reads the rows it is about to remove."""
    if action not in ("post_add", "post_remove", "pre_clear"):
        return None
    if reverse:
        return pk_set or set(getattr(instance, backward).values_list("pk", flat=True)), {instance.pk}
    return {instance.pk}, pk_set or set(getattr(instance, forward).values_list("pk", flat=True))


def on_bulk_write(model, tags_of):
    _tags_of[model._meta.label_lower] = tags_of


def moved_by(model, pks, fields):
    """The tags a bulk write of ``fields`` on the rows ``pks`` of ``model`` moves."""
    if not pks:
        return set()
    tags_of = _tags_of.get(model._meta.label_lower)
    if tags_of is not None:
        return set(tags_of(pks, fields))
    label = t.label_of(model)
    return {*t.items(label, pks), t.every(label)} if label else {t.SITE}


class TrackedQuerySet(models.QuerySet):
    """A queryset whose ``update()`` and ``bulk_create()`` keep cached pages fresh."""

    def update(self, **kwargs):
        pks = list(self.values_list("pk", flat=True))
        before = moved_by(self.model, pks, frozenset(kwargs))
        count = super().update(**kwargs)
        tags = before | moved_by(self.model, pks, frozenset(kwargs))
        if tags:
            bump(tags)
        return count

    def bulk_create(self, objs, *args, **kwargs):
        created = super().bulk_create(objs, *args, **kwargs)
        pks = [obj.pk for obj in created]
        if any(pk is None for pk in pks):  # a backend that does not return keys (rare): all pages go
            bump({t.SITE})
        elif tags := moved_by(self.model, pks, None):
            bump(tags)
        return created
