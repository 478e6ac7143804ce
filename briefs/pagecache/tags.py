"""What a cached page shows, and what an edit changes, as tags.

Tags name public content:
- ``brief:<pk>``, ``expert:<pk>``, ``issue:<pk>``, ``type:<pk>``: an object as a card or a name shows it;
- ``brief-body:<pk>``: what only a brief's own page shows (quotes, related reading, corrections);
- ``listing:issue:<pk>``, ``listing:expert:<pk>``, ``listing:type:<pk>``: which live briefs a page
  of that issue (sub-issues included), expert (written or quoted) or type lists;
- ``briefs``, ``experts``, ``issues``, ``types``: site-wide listings (home, archive, indexes, sitemap);
- ``site``: every page (moved by bulk writes and after a cache outage: everything goes).

- **Pages** get their tags from what they rendered, without a query: every model instance reachable
  from the template context (lists, pages, prefetched relations, related objects already loaded)
  gives its object tag, and every fragment (fragments.py) the tags it was kept with; the object
  the URL names (its ``slug``) gives its listing (a brief: the listings of its issues, from which
  its page suggests further reading, and its body); a URL declares the site-wide listings it
  shows (``cache_public_page(..., shows={"briefs"})``).
- **Edits** (model signals, dependencies.py) move the tags of what they touched: a brief's title or
  summary moves ``brief:<pk>``; a change of whether or where it is listed (publication, withdrawal,
  times, type, issues) also moves the listings it leaves and joins.
"""

from django.db.models import Model
from django.db.models.query import QuerySet

SITE = "site"
BRIEFS = "briefs"  # the site-wide listing of live briefs: every publication, withdrawal or schedule moves it
LABELS = {
    "briefs.brief": "brief",
    "experts.expert": "expert",
    "issues.issue": "issue",
    "briefs.brieftype": "type",
}


def tag(instance):
    label = LABELS.get(instance._meta.label_lower)
    return f"{label}:{instance.pk}" if label and instance.pk is not None else None


def shown(context, slug=None):
    """Tags of every public object reachable from a template context, without a query; the object
    whose slug is ``slug`` (the one the URL names) also gives the listings its page shows."""
    found, seen = set(), set()

    def visit(value):
        # No depth limit: a node cut off on a long path would be marked seen and skipped on a
        # short one (a card's authors under page_obj and object_list); ``seen`` stops cycles.
        if id(value) in seen:
            return
        seen.add(id(value))
        if hasattr(value, "page_tags"):  # a fragment (fragments.py), or a list of briefs shown by them
            found.update(value.page_tags)
        if isinstance(value, Model):
            name = tag(value)
            if name:
                found.add(name)
                if slug is not None and getattr(value, "slug", None) == slug:
                    found.update(named(value))
            for related in value._state.fields_cache.values():
                visit(related)
            for related in getattr(value, "_prefetched_objects_cache", {}).values():
                visit(related)
            for attr in value.__dict__.values():  # lists a view attached (issue.subissues)
                if isinstance(attr, list | tuple):
                    visit(attr)
        elif isinstance(value, QuerySet):
            if value._result_cache is not None:  # never evaluate a queryset here
                visit(value._result_cache)
        elif isinstance(value, dict):
            for item in value.values():
                visit(item)
        elif isinstance(value, list | tuple | set):
            for item in value:
                visit(item)
        elif hasattr(value, "object_list"):  # a paginator's page
            visit(value.object_list)

    visit(context)
    return found


def named(instance):
    """The listings shown by the page of the object its URL names."""
    label = LABELS[instance._meta.label_lower]
    if label != "brief":
        return {f"listing:{label}:{instance.pk}"}
    issues = getattr(instance, "_prefetched_objects_cache", {}).get("issues", ())
    return {f"brief-body:{instance.pk}", *(f"listing:issue:{issue.pk}" for issue in issues)}


def issue_chain(issue_ids):
    """``listing:issue:<pk>`` for each issue and its ancestors (their pages list these issues' briefs)."""
    from issues.models import Issue

    parents = dict(Issue.objects.values_list("pk", "parent_id"))
    tags = set()
    for pk in issue_ids:
        seen = set()
        while pk is not None and pk not in seen:
            seen.add(pk)
            tags.add(f"listing:issue:{pk}")
            pk = parents.get(pk)
    return tags


def brief_listings(brief_id, type_id):
    """The listings a brief is part of: every page that may list it, or stop listing it."""
    from briefs.models import Brief, BriefIssue, ExpertQuote, RelatedLink

    tags = {"briefs", f"listing:type:{type_id}"}
    tags |= issue_chain(BriefIssue.objects.filter(content_object_id=brief_id).values_list("tag_id", flat=True))
    authors = Brief.authors.through.objects.filter(brief_id=brief_id).values_list("expert_id", flat=True)
    quoted = ExpertQuote.objects.filter(brief_id=brief_id).values_list("expert_id", flat=True)
    tags |= {f"listing:expert:{pk}" for pk in {*authors, *quoted}}
    # Briefs linking to it in their related reading list it only while it is live.
    linking = RelatedLink.objects.filter(target_brief_id=brief_id).values_list("brief_id", flat=True)
    tags |= {f"brief-body:{pk}" for pk in linking}
    return tags
