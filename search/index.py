"""Index upkeep: a brief's search document is rewritten in the same transaction as the change.

Signals cover what goes through the ORM one row at a time: a brief saved, a quote saved or deleted,
authors changed, an issue link written or deleted (PostgreSQL's facet ids), a revision published or
restored (``Revision`` is saved after its content is applied), an expert renamed or deleted. Code
that writes quotes with ``bulk_create`` (the importer, the demo loader) calls ``index_briefs()``
itself; ``manage.py rebuild_search_index`` rebuilds all.
"""

import html
import unicodedata

from django.contrib.postgres.search import SearchVector
from django.db import connection
from django.db.models import Prefetch
from django.db.models.expressions import RawSQL
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.utils.html import strip_tags

# Excerpts mark matches with these (private-use characters, stripped from documents): the excerpt is
# then escaped as a whole and the marks become <mark> elements, so document text is never markup.
MARK_START, MARK_END = "\ue000", "\ue001"
UNMARK = {ord(MARK_START): None, ord(MARK_END): None}


DOCUMENT_FIELDS = ["title", "summary", "people", "quotes", "body", "folded"]

# PostgreSQL's weighted vector, computed from the document's own columns (one UPDATE for any number).
VECTOR = (
    SearchVector("title", weight="A", config="english")
    + SearchVector("summary", "people", "quotes", "folded", weight="B", config="english")
    + SearchVector("body", weight="C", config="english")
)


# PostgreSQL's facet columns, from the brief's rows (one UPDATE for any number of documents). The
# document table is named as it is in that UPDATE.
ISSUE_IDS = (
    "ARRAY(SELECT tag_id FROM briefs_briefissue WHERE content_object_id = search_briefdocument.brief_id "
    "ORDER BY tag_id)"
)
EXPERT_IDS = (
    "ARRAY(SELECT expert_id FROM briefs_brief_authors WHERE brief_id = search_briefdocument.brief_id "
    "UNION SELECT expert_id FROM briefs_expertquote WHERE brief_id = search_briefdocument.brief_id ORDER BY 1)"
)


def facet_ids(document_model):
    """The UPDATE's values for the facet columns, where ``document_model`` (maybe a migration's
    historical model) has them."""
    names = {field.name for field in document_model._meta.get_fields()}
    found = {"issue_ids": RawSQL(ISSUE_IDS, []), "expert_ids": RawSQL(EXPERT_IDS, [])}
    return {name: value for name, value in found.items() if name in names}


def fold(text):
    """``text`` without accents, as SQLite's remove_diacritics ("Wiśniewski" → "Wisniewski"), and "ł"
    as "l", which it keeps ("Łukasz" → "Lukasz")."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).replace("ł", "l").replace("Ł", "L")


def plain(rich_text):
    """Rich text as plain text: tags become spaces (so words do not run together), entities characters."""
    text = strip_tags((rich_text or "").replace("<", " <"))
    return " ".join(html.unescape(text).split())


def folded_words(*texts):
    """The words of ``texts`` that change when folded, folded (empty when there are none)."""
    words = []
    for text in texts:
        for word in text.split():
            if (folded := fold(word)) != word and folded not in words:
                words.append(folded)
    return " ".join(words)


def build_document(brief, document_model):
    """An unsaved search document for ``brief`` (quotes and authors prefetched where possible).

    It reads only plain fields and relations, so the migration's historical models can use it too.
    """
    quotes = list(brief.quotes.all())
    names = [author.name for author in brief.authors.all()]
    names += [quote.expert.name for quote in quotes if quote.expert.name not in names]
    fields = {
        "title": brief.title,
        "summary": brief.summary or "",
        "people": " · ".join(names),
        "quotes": " ".join(quote.text for quote in quotes),
        "body": " ".join(filter(None, [plain(brief.developments), plain(brief.body)])),
    }
    fields = {name: value.translate(UNMARK) for name, value in fields.items()}
    fields["folded"] = folded_words(*fields.values())
    return document_model(brief_id=brief.pk, **fields)


def index_briefs(brief_ids, *, brief_model=None, document_model=None, batch_size=500):
    """Write the search documents of ``brief_ids`` (rows of briefs that no longer exist are skipped)."""
    if brief_model is None:
        from briefs.models import Brief as brief_model
    if document_model is None:
        from .models import BriefDocument as document_model
    ids = sorted(set(brief_ids))
    for start in range(0, len(ids), batch_size):
        chunk = ids[start : start + batch_size]
        quote_model = brief_model._meta.get_field("quotes").related_model
        briefs = brief_model.objects.filter(pk__in=chunk).prefetch_related(
            "authors", Prefetch("quotes", queryset=quote_model.objects.select_related("expert"))
        )
        documents = [build_document(brief, document_model) for brief in briefs]
        document_model.objects.bulk_create(
            documents, update_conflicts=True, unique_fields=["brief"], update_fields=DOCUMENT_FIELDS
        )
        if connection.vendor == "postgresql" and documents:
            written = document_model.objects.filter(pk__in=[d.brief_id for d in documents])
            written.update(vector=VECTOR, **facet_ids(document_model))


def rebuild(*, brief_model=None, document_model=None):
    """Index every brief (after bulk loads). Returns the number of briefs indexed."""
    if brief_model is None:
        from briefs.models import Brief as brief_model
    ids = list(brief_model.objects.values_list("pk", flat=True))
    index_briefs(ids, brief_model=brief_model, document_model=document_model)
    return len(ids)


def briefs_of_expert(expert_id):
    from briefs.models import Brief

    return set(Brief.objects.filter(authors=expert_id).values_list("pk", flat=True)) | set(
        Brief.objects.filter(quotes__expert=expert_id).values_list("pk", flat=True)
    )


# Signal receivers ---------------------------------------------------------------------------------


def _brief_saved(sender, instance, raw=False, **kwargs):
    if not raw:  # fixtures load related rows later: rebuild_search_index after loaddata
        index_briefs([instance.pk])


def _quote_changed(sender, instance, raw=False, origin=None, **kwargs):
    from briefs.models import Brief

    # Deleting a brief deletes its quotes (and its document) first: nothing to index then.
    if raw or isinstance(origin, Brief) or getattr(origin, "model", None) is Brief:
        return
    index_briefs([instance.brief_id])


def _authors_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        index_briefs([instance.pk])
    elif action == "post_clear":
        index_briefs(getattr(instance, "_search_briefs", ()))
    else:
        index_briefs(pk_set or ())


def _authors_clearing(sender, instance, action, reverse, **kwargs):
    if action == "pre_clear" and reverse:  # an expert's briefs, before the links go
        instance._search_briefs = briefs_of_expert(instance.pk)


def _revision_saved(sender, instance, raw=False, **kwargs):
    # Publishing or restoring a revision writes quotes with bulk_create, then saves the revision.
    if not raw:
        index_briefs([instance.brief_id])
        _facets_changed(sender)  # and its quotes and authors may have changed the archive's counts


def _expert_before_save(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None:
        return
    old = sender.objects.filter(pk=instance.pk).values_list("name", flat=True).first()
    instance._search_renamed = old is not None and old != instance.name


def _expert_saved(sender, instance, raw=False, **kwargs):
    if not raw and getattr(instance, "_search_renamed", False):
        index_briefs(briefs_of_expert(instance.pk))
        instance._search_renamed = False


def _expert_before_delete(sender, instance, **kwargs):
    instance._search_briefs = briefs_of_expert(instance.pk)


def _expert_deleted(sender, instance, **kwargs):
    index_briefs(getattr(instance, "_search_briefs", ()))


def _issue_link_changed(sender, instance, raw=False, **kwargs):
    """A brief's issues changed (taggit writes and deletes one link at a time): its facet ids."""
    if raw or connection.vendor != "postgresql":
        return
    from .models import BriefDocument

    BriefDocument.objects.filter(pk=instance.content_object_id).update(issue_ids=RawSQL(ISSUE_IDS, []))


def _facets_changed(sender, raw=False, action=None, **kwargs):
    """The archive's cached pages show expert counts: a quote or an author changes them."""
    if raw or action in ("pre_add", "pre_remove", "pre_clear"):
        return
    from serving import bump
    from serving.tags import SEARCH_FACETS

    bump({SEARCH_FACETS})


def connect_signals():
    from briefs.models import Brief, BriefIssue, ExpertQuote, Revision
    from experts.models import Expert

    post_save.connect(_brief_saved, sender=Brief, dispatch_uid="search-brief-saved")
    post_save.connect(_quote_changed, sender=ExpertQuote, dispatch_uid="search-quote-saved")
    post_delete.connect(_quote_changed, sender=ExpertQuote, dispatch_uid="search-quote-deleted")
    m2m_changed.connect(_authors_clearing, sender=Brief.authors.through, dispatch_uid="search-authors-clearing")
    m2m_changed.connect(_authors_changed, sender=Brief.authors.through, dispatch_uid="search-authors")
    post_save.connect(_revision_saved, sender=Revision, dispatch_uid="search-revision-saved")
    post_save.connect(_facets_changed, sender=ExpertQuote, dispatch_uid="search-facets-quote-saved")
    post_delete.connect(_facets_changed, sender=ExpertQuote, dispatch_uid="search-facets-quote-deleted")
    m2m_changed.connect(_facets_changed, sender=Brief.authors.through, dispatch_uid="search-facets-authors")
    pre_save.connect(_expert_before_save, sender=Expert, dispatch_uid="search-expert-before-save")
    post_save.connect(_expert_saved, sender=Expert, dispatch_uid="search-expert-saved")
    post_save.connect(_issue_link_changed, sender=BriefIssue, dispatch_uid="search-issue-link-saved")
    post_delete.connect(_issue_link_changed, sender=BriefIssue, dispatch_uid="search-issue-link-deleted")
    pre_delete.connect(_expert_before_delete, sender=Expert, dispatch_uid="search-expert-before-delete")
    post_delete.connect(_expert_deleted, sender=Expert, dispatch_uid="search-expert-deleted")
