"""Work done once per version (#21): a live brief's citations, PDF and social card.

**Made** by the worker (briefs/tasks.py), never by a web request: when a version goes live
(publication, scheduled or not; a published revision; a correction), when a name the files show
changes (an author, a quoted expert, an issue, the type, a brief in its related reading), and by
``manage.py make_brief_files`` for what is missing or out of date (after an upgrade, bulk loads).
Each part (citations, PDF, card) keeps a fingerprint of what it shows: a run remakes only the
parts whose fingerprint moved, so a second run, a retry or a duplicate task makes nothing.

**Stored** with the brief (``BriefFiles``: citations as text, PDF and card as files in the default
storage under names carrying their fingerprint). A new part is written under a new name and the
row switched to it in one short transaction, after checking, under the brief's row lock, that the
brief still shows what the part was made from (a run that lost a race to a newer version throws
its work away); the old files are deleted once that commits. Saving the row moves the brief page's
tags (briefs/dependencies.py), so the page shows new citations at once.

**Gone** the moment the version stops being live: the views hand the files out only for a brief
in ``live()`` (nginx never serves their folders directly: deploy/nginx/dossier.conf), so an
expired brief's files are unreachable from its expiry second; the row and files are deleted when a
brief is saved out of publication or deleted, and by a task queued for its expiry second.
"""

import logging
import multiprocessing
import time

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import OperationalError, connection, connections, transaction
from django.db.models import Q
from django.db.models.signals import post_delete, post_save, pre_save
from django.utils import timezone

from . import cards, citations, pdf
from .cards import CARD_DIR
from .pdf import PDF_DIR

log = logging.getLogger(__name__)

PARTS = ("citations", "pdf", "card")


def kept_briefs(now=None):
    """Briefs whose files are kept: published and not expired (live, or scheduled to go live)."""
    from .models import Brief

    return Brief.objects.filter(status=Brief.Status.PUBLISHED).exclude(expires_at__lte=now or timezone.now())


def keeps_files(brief, now=None):
    now = now or timezone.now()
    return (
        brief.status == brief.Status.PUBLISHED
        and brief.published_at is not None
        and (brief.expires_at is None or brief.expires_at > now)
    )


def stored_files(brief):
    """The brief's ``BriefFiles`` row, or None (read with the brief when selected with it)."""
    return getattr(brief, "files", None)  # a missing reverse one-to-one raises an AttributeError


# Making


class Version:
    """What a brief shows now, per part: fingerprints, and the page's HTML the PDF is made from."""

    def __init__(self, brief, parts):
        self.fingerprints, self.html = {}, None
        if "citations" in parts:
            self.fingerprints["citations"] = citations.fingerprint(brief)
        if "card" in parts:
            self.fingerprints["card"] = cards.fingerprint(brief)
        if "pdf" in parts:
            self.html = pdf.brief_html(brief)
            self.fingerprints["pdf"] = pdf.fingerprint(self.html)

    def outdated(self, files):
        """The parts ``files`` (a row or None) lacks for this version."""
        if files is None:
            return [part for part in PARTS if part in self.fingerprints]
        found = []
        for part, wanted in self.fingerprints.items():
            if getattr(files, f"{part}_fingerprint") != wanted:
                found.append(part)
            elif part != "citations" and not _exists(getattr(files, part).name):
                found.append(part)  # the row names a file that went (a crash, a hand-emptied folder)
        return found


def _exists(name):
    return bool(name) and default_storage.exists(name)


def load(brief_id, parts=PARTS):
    """The brief, if it keeps files (else None), with what ``parts`` show: the PDF, everything its
    page shows; citations and card, its type, authors and issues."""
    from .related import brief_page_queryset

    if "pdf" in parts:
        briefs = brief_page_queryset(kept_briefs())
    else:
        briefs = kept_briefs().select_related("type").prefetch_related("authors", "issues")
    return briefs.filter(pk=brief_id).first()


def make(*, brief_id, parts=PARTS, brief=None):
    """Bring the files of ``brief_id`` up to date for the version it shows now; returns the parts
    made (["discarded"] when it keeps no files: they are deleted). ``brief``: already loaded
    with ``load``'s queryset (``make_missing`` reads briefs in batches)."""
    brief = brief or load(brief_id)
    if brief is None:
        discard_files(brief_id)
        return ["discarded"]
    version = Version(brief, parts)
    todo = version.outdated(stored_files(brief))
    if not todo:
        return []
    made = {}
    try:
        if "citations" in todo:
            made["citations"] = citations.stored(brief)
        if "card" in todo:
            name = cards.card_name(brief, version.fingerprints["card"])
            made["card"] = default_storage.save(name, ContentFile(cards.brief_card(brief)))
        if "pdf" in todo:
            name = pdf.pdf_name(brief, version.fingerprints["pdf"])
            made["pdf"] = default_storage.save(name, ContentFile(pdf.make_pdf(brief, version.html)))
        return _store_retrying(brief_id, version, made)
    except BaseException:
        _delete([name for part, name in made.items() if part != "citations"])
        raise


def _store_retrying(brief_id, version, made, attempts=5):
    """``_store``, again when SQLite refuses it at once: in WAL mode a transaction that read before
    another process committed a write cannot write (no busy wait helps). ``_store`` checks
    everything again, so running it again is safe."""
    for attempt in range(attempts):
        try:
            return _store(brief_id, version, made)
        except OperationalError as error:
            if connection.vendor != "sqlite" or "locked" not in str(error) or attempt == attempts - 1:
                raise
            time.sleep(0.05 * 2**attempt)


def _store(brief_id, version, made):
    """Switch the row to the parts ``made`` if the brief still shows what they were made from."""
    from .models import BriefFiles

    new_names = [name for part, name in made.items() if part != "citations"]
    with transaction.atomic():
        if not kept_briefs().select_for_update().filter(pk=brief_id).exists():
            transaction.on_commit(lambda: _delete(new_names))
            return ["discarded"]  # it left publication meanwhile; its save discards its files
        current = Version(load(brief_id, made), made)
        if current.fingerprints != {part: version.fingerprints[part] for part in made}:
            # A newer version went live while these were made: its own task makes its files.
            transaction.on_commit(lambda: _delete(new_names))
            return ["superseded"]
        existing = BriefFiles.objects.select_for_update().filter(pk=brief_id).first()
        files = existing or BriefFiles(brief_id=brief_id)
        changed, unused = [], []
        for part, value in made.items():
            if getattr(files, f"{part}_fingerprint") == version.fingerprints[part]:
                if part == "citations":
                    continue  # another run stored this version first
                stored_name = getattr(files, part).name
                if stored_name == value:
                    continue  # the file that had gone, made again under its name
                if _exists(stored_name):
                    unused.append(value)  # another run stored this version first
                    continue
            if part == "citations":
                files.citations, files.bibtex, files.ris = value["styles"], value["bibtex"], value["ris"]
                changed += ["citations", "bibtex", "ris"]
            else:
                getattr(files, part).name = value
                changed.append(part)
            setattr(files, f"{part}_fingerprint", version.fingerprints[part])
            changed.append(f"{part}_fingerprint")
        if changed:
            files.made_at = timezone.now()
            # update_fields tell the page cache whether the page's citations changed (dependencies.py).
            if existing:
                files.save(update_fields=[*changed, "made_at"])
            else:
                files.save(force_insert=True)
        keep = files.names()
        transaction.on_commit(lambda: (_delete(unused), discard_others(brief_id, keep)))
    return [part for part in made if f"{part}_fingerprint" in changed]


def make_missing(*, parts=PARTS, slugs=None, progress=None, batch=200, jobs=1):
    """Bring every kept brief's files up to date (``parts`` of them; only the briefs of ``slugs``
    if given), and delete the files of briefs that keep none any more. ``progress(done, total,
    made)`` is called after each batch; ``jobs`` processes share the batches (citeproc and
    WeasyPrint use one core each). Returns {"checked", "made": {part: count}, "discarded"}."""
    from .models import BriefFiles

    summary = {"checked": 0, "made": dict.fromkeys(parts, 0), "discarded": 0}
    kept = kept_briefs()
    if slugs is None:
        for brief_id in BriefFiles.objects.exclude(brief__in=kept).values_list("pk", flat=True):
            discard_files(brief_id)
            summary["discarded"] += 1
    else:
        kept = kept.filter(slug__in=slugs)
    ids = list(kept.order_by("pk").values_list("pk", flat=True))
    batches = [(ids[start : start + batch], parts) for start in range(0, len(ids), batch)]
    if jobs > 1 and len(batches) > 1:
        connections.close_all()  # each process opens its own
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            results = pool.imap_unordered(_make_batch, batches)
            _add_up(summary, results, len(ids), progress)
    else:
        _add_up(summary, map(_make_batch, batches), len(ids), progress)
    return summary


def _make_batch(batch):
    from .related import brief_page_queryset

    ids, parts = batch
    made = dict.fromkeys(parts, 0)
    for brief in brief_page_queryset(kept_briefs()).filter(pk__in=ids).order_by("pk"):
        for part in make(brief_id=brief.pk, parts=parts, brief=brief):
            if part in made:
                made[part] += 1
    return len(ids), made


def _add_up(summary, results, total, progress):
    for checked, made in results:
        summary["checked"] += checked
        for part, count in made.items():
            summary["made"][part] += count
        if progress:
            progress(summary["checked"], total, summary["made"])


# Discarding


def brief_folders(pk):
    return [f"{PDF_DIR}/{pk}", f"{CARD_DIR}/{pk}"]


def _listed(pk):
    for folder in brief_folders(pk):
        try:
            _dirs, files = default_storage.listdir(folder)
        except FileNotFoundError:
            continue
        yield from (f"{folder}/{name}" for name in files)


def _delete(names):
    for name in names:
        default_storage.delete(name)


def discard_others(pk, keep):
    """Delete the brief's stored files other than ``keep``: older versions nobody is sent to any more."""
    _delete(name for name in _listed(pk) if name not in keep)


def discard_files(pk):
    """Delete the brief's stored citations, PDFs and cards (the row, then every file of its folders)."""
    from .models import BriefFiles

    BriefFiles.objects.filter(pk=pk).delete()
    _delete(list(_listed(pk)))


def discard_if_not_kept(pk):
    """The expiry task: delete the brief's files unless it still keeps them (its expiry was moved)."""
    if kept_briefs().filter(pk=pk).exists():
        return False
    discard_files(pk)
    return True


# Signals: what queues the worker


def _remember_picture(sender, instance, raw=False, **kwargs):
    before = ""
    if not raw and instance.pk is not None:
        before = sender._default_manager.filter(pk=instance.pk).values_list("lead_image", flat=True).first()
    instance._lead_image_before = before


def _brief_changed(sender, instance, raw=False, **kwargs):
    if raw:
        return
    from . import tasks

    if getattr(instance, "_lead_image_before", None) != (instance.lead_image.name or ""):
        # The home page leads with the newest brief that has a picture, which need not be on it yet.
        from serving import bump
        from serving.tags import every

        bump({every("brief")})
    pk = instance.pk
    if keeps_files(instance):
        tasks.enqueue_make(pk)
        if instance.expires_at is not None:
            tasks.enqueue_discard(pk, at=instance.expires_at)
    else:
        transaction.on_commit(lambda: discard_files(pk))
    if instance.status in (sender.Status.PUBLISHED, sender.Status.WITHDRAWN):
        tasks.enqueue_make_showing("linked", pk)  # briefs listing it in their related reading


def _brief_deleted(sender, instance, **kwargs):
    pk = instance.pk
    transaction.on_commit(lambda: discard_files(pk))


def _correction_changed(sender, instance, raw=False, **kwargs):
    """A correction shows in the PDF (and moves its "updated" date)."""
    from . import tasks

    if not raw:
        tasks.enqueue_make(instance.brief_id)


# The fields of an expert, issue or type that a brief's files show (names, and URLs by slug).
SHOWN_FIELDS = {"expert": ("name", "title", "slug"), "issue": ("name", "slug"), "type": ("name", "slug")}
KINDS = {"experts.Expert": "expert", "issues.Issue": "issue", "briefs.BriefType": "type"}


def _shown_before(sender, instance, raw=False, **kwargs):
    kind = KINDS[sender._meta.label]
    before = None
    if not raw and instance.pk is not None:
        before = sender._default_manager.filter(pk=instance.pk).values(*SHOWN_FIELDS[kind]).first()
    instance._brieffiles_before = before


def _shown_changed(sender, instance, raw=False, created=False, **kwargs):
    """A renamed expert, issue or type: the files of the briefs that show it are made again."""
    from . import tasks

    kind = KINDS[sender._meta.label]
    before = getattr(instance, "_brieffiles_before", None)
    if raw or created or before is None:
        return  # a new one is on no brief yet
    if any(before[field] != getattr(instance, field) for field in SHOWN_FIELDS[kind]):
        tasks.enqueue_make_showing(kind, instance.pk)


def briefs_showing(kind, pk):
    """The keys (a queryset) of the kept briefs whose files show expert, issue or type ``pk``, or
    that list brief ``pk`` in their related reading (``kind`` "linked")."""
    kept = kept_briefs()
    if kind == "expert":
        kept = kept.filter(Q(authors=pk) | Q(quotes__expert=pk))
    elif kind == "issue":
        kept = kept.filter(issue_links__tag=pk)
    elif kind == "type":
        kept = kept.filter(type=pk)
    else:
        kept = kept.filter(related_links__target_brief=pk)
    return kept.order_by("pk").values_list("pk", flat=True).distinct()


def connect_signals():
    from django.apps import apps

    from .models import Brief, Correction

    pre_save.connect(_remember_picture, sender=Brief, dispatch_uid="brieffiles-pre-save")
    post_save.connect(_brief_changed, sender=Brief, dispatch_uid="brieffiles-save")
    post_delete.connect(_brief_deleted, sender=Brief, dispatch_uid="brieffiles-delete")
    post_save.connect(_correction_changed, sender=Correction, dispatch_uid="brieffiles-correction-save")
    post_delete.connect(_correction_changed, sender=Correction, dispatch_uid="brieffiles-correction-delete")
    for label in KINDS:
        model = apps.get_model(label)
        pre_save.connect(_shown_before, sender=model, dispatch_uid=f"brieffiles-{label}-pre")
        post_save.connect(_shown_changed, sender=model, dispatch_uid=f"brieffiles-{label}")
