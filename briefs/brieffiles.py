"""The files made for a live brief (its PDFs and social cards) go when it stops being live.

They are served only through views that start from ``live()``, but media storage may be public
(nginx, S3): a withdrawn brief's PDF must not stay there under a name someone has kept.
"""

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save

from .cards import CARD_DIR
from .pdf import PDF_DIR


def brief_folders(pk):
    return [f"{PDF_DIR}/{pk}", f"{CARD_DIR}/{pk}"]


def discard_files(pk):
    """Delete every stored PDF and card of the brief with this pk."""
    for folder in brief_folders(pk):
        try:
            _dirs, files = default_storage.listdir(folder)
        except FileNotFoundError:
            continue
        for name in files:
            default_storage.delete(f"{folder}/{name}")


def _remember_picture(sender, instance, raw=False, **kwargs):
    before = ""
    if not raw and instance.pk is not None:
        before = sender._default_manager.filter(pk=instance.pk).values_list("lead_image", flat=True).first()
    instance._lead_image_before = before


def _brief_changed(sender, instance, raw=False, **kwargs):
    if raw:
        return
    if getattr(instance, "_lead_image_before", None) != (instance.lead_image.name or ""):
        # The home page leads with the newest brief that has a picture, which need not be on it yet.
        from serving import bump
        from serving.tags import every

        bump({every("brief")})
    if not instance.is_live():
        pk = instance.pk
        transaction.on_commit(lambda: discard_files(pk))


def _brief_deleted(sender, instance, **kwargs):
    pk = instance.pk
    transaction.on_commit(lambda: discard_files(pk))


def connect_signals():
    from .models import Brief

    pre_save.connect(_remember_picture, sender=Brief, dispatch_uid="brieffiles-pre-save")
    post_save.connect(_brief_changed, sender=Brief, dispatch_uid="brieffiles-save")
    post_delete.connect(_brief_deleted, sender=Brief, dispatch_uid="brieffiles-delete")
