"""What is made once per live version of a brief, and kept with it (briefs/brieffiles.py).

Kept out of ``briefs/models.py`` (which imports it), as the revisions are.
"""

from django.db import models

from core.textcheck import TEXT_VALIDATORS

FINGERPRINT = {"max_length": 64, "blank": True, "editable": False, "validators": TEXT_VALIDATORS}


class BriefFiles(models.Model):
    """A brief's citations, PDF and social card, made by the worker from the version readers see.

    One row per brief, brought up to date when a version goes live (publication, a published
    revision, a correction) and deleted, with its files, the moment the brief stops being live.
    Each part keeps a fingerprint of what it shows: the worker remakes a part only when its
    fingerprint changes, so running it twice (a retry, a second enqueue) makes nothing twice.
    """

    brief = models.OneToOneField("briefs.Brief", on_delete=models.CASCADE, primary_key=True, related_name="files")
    # [{"style": "APA", "text": plain text, "html": HTML made from escaped data}], one per style.
    citations = models.JSONField(default=list, blank=True, editable=False)
    bibtex = models.TextField(
        "BibTeX", blank=True, editable=False, validators=TEXT_VALIDATORS, help_text="Without the reader's urldate."
    )
    ris = models.TextField(
        "RIS", blank=True, editable=False, validators=TEXT_VALIDATORS, help_text="Without the reader's access date."
    )
    citations_fingerprint = models.CharField(**FINGERPRINT)
    pdf = models.FileField("PDF", max_length=400, blank=True, editable=False)
    pdf_fingerprint = models.CharField(**FINGERPRINT)
    card = models.FileField("social card", max_length=400, blank=True, editable=False)
    card_fingerprint = models.CharField(**FINGERPRINT)
    made_at = models.DateTimeField(null=True, blank=True, editable=False, help_text="When a part was last made.")

    class Meta:
        verbose_name = verbose_name_plural = "files of a live brief"

    def __str__(self):
        return f"Files of brief {self.brief_id}"

    def names(self):
        """The stored files' names (what must stay in storage)."""
        return {name for name in (self.pdf.name, self.card.name) if name}
