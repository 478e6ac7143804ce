"""A page's own parts, rendered once per change of what they show and kept (fragments).

Most of a brief's, an issue's or an expert's page is about that one object: a brief's head
metadata, feed links, article (header, picture, developments, quotes, body, corrections), related
reading, citations and issues; an issue's header, sub-issues and experts; an expert's profile (and
the home page's featured issues are one part too).
Reading all that takes several queries and most of the render, and it changes only when what it
shows does (their tags: serving/tags.py). So a page's parts are kept as one fragment, and an
uncached page reads its own row, its parts and its cards.

Templates show a part with ``{% page_part "<template>" %}``: the kept one when the view passed
``page_parts``, else rendered there (previews and the PDF of a brief render them from the brief
they are given).
"""

from django.db.models import Model, prefetch_related_objects
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from core.templatetags.dossier import brief_json_ld_data, json_ld_payload
from issues.models import Issue
from serving import fragments
from serving import tags as t

from .related import brief_page_queryset


class Parts:
    """A page's kept parts (HTML by template name), what else the page needs of what they were
    rendered from (``data``), and the tags of all they show."""

    def __init__(self, fragment):
        self.html, self.data = fragment.value
        self.page_tags = fragment.page_tags

    def __getitem__(self, template):
        return SafeString(self.html[template])  # each came out of a template


def _objects(value):
    if isinstance(value, Model):
        return [value]
    return [item for item in value if isinstance(item, Model)] if isinstance(value, list | tuple) else []


def kept_parts(name, templates, context, request, *, tags=(), data=None):
    """The parts ``templates`` of the page ``name``, kept as one fragment: ``context()`` is what
    they are rendered from (read only when they are not kept), ``data(context)`` what the page
    needs of it besides, ``tags`` what they show that ``tags.shown`` cannot find in it."""

    def render_one():
        values = context()
        html = {template: str(render_to_string(template, values, request)).strip() for template in templates}
        # The objects given to it may have been loaded before (not while collecting): they show too.
        given = {t.of(item) for value in values.values() for item in _objects(value)}
        return (html, data(values) if data else None), {*given, *tags}

    def render(names):
        value, shown = fragments.collected(render_one)
        return dict.fromkeys(names, (value, shown))

    return Parts(fragments.kept([name], render)[name])


BRIEF_PARTS = [f"briefs/parts/{name}.html" for name in ("head", "feeds", "article", "related_links", "end")]


def brief_parts(brief, request):
    """The parts of live ``brief``'s page (its row, read without its relations), with what its
    suggestions are worked out from (its issues, its related links) and its JSON-LD data."""

    def context():
        full = brief_page_queryset().get(pk=brief.pk)
        return {"brief": full, "object": full}

    def data(values):
        full = values["brief"]
        links = list(full.related_links.all())
        return {
            "issue_ids": [issue.pk for issue in full.issues.all()],
            "linked_ids": [link.target_brief_id for link in links if link.target_brief_id],
            "link_count": len(links),
            "json_ld": json_ld_payload(brief_json_ld_data(full)),
        }

    return kept_parts(
        f"brief-parts:{brief.pk}", BRIEF_PARTS, context, request, tags={t.body("brief", brief.pk)}, data=data
    )


def issue_parts(issue, subissues, experts, request):
    """An issue page's header and sidebar (sub-issues, experts: which of them is listed follows the
    issue's listing tag)."""

    def context():
        return {"issue": issue, "subissues": list(subissues), "experts": list(experts)}

    templates = ["issues/parts/header.html", "issues/parts/sidebar.html"]
    return kept_parts(f"issue-parts:{issue.pk}", templates, context, request, tags={t.listing("issue", issue.pk)})


def home_parts(request):
    """The home page's featured issues (any issue's edit moves ``issues``: featuring one, its name,
    description or picture)."""

    def context():
        return {"featured_issues": list(Issue.objects.filter(featured=True))}

    return kept_parts("home", ["briefs/parts/featured_issues.html"], context, request, tags={t.every("issue")})


def expert_parts(expert, request):
    """An expert page's profile: header (picture, program, title, issues), biography, follow links."""

    def context():
        prefetch_related_objects([expert], "issues")
        return {"expert": expert}

    return kept_parts(f"expert-parts:{expert.pk}", ["experts/parts/profile.html"], context, request)
