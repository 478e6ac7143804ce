"""A brief page's own parts, rendered once per change of what they show and kept (fragments).

Everything on a brief's page but its suggestions and the site's frame is the brief's own: its
head metadata and feed links, the article (header, picture, developments, quotes, body,
corrections), the related reading an editor chose, citations and issues. Reading all that takes
six queries and most of the render; it changes only when the brief, its quotes, links, corrections,
authors, issues or type do (their tags: pagecache/tags.py). So the parts are kept as one fragment,
and an uncached brief page reads the brief's row, the parts and its suggestions.

Previews and the PDF render the same part templates from the brief they are given
(``{% brief_part %}`` without ``brief_parts`` in the context).
"""

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from .pagecache import fragments
from .pagecache import tags as page_tags
from .related import brief_page_queryset
from .templatetags.dossier import brief_json_ld_data, json_ld_payload

NAMES = ("head", "feeds", "article", "related_links", "end")


def template(name):
    return f"briefs/parts/{name}.html"


class BriefParts:
    """The kept parts of one brief's page (HTML by name), with what its suggestions and its
    structured data are worked out from, and the tags of all it shows."""

    def __init__(self, fragment):
        self.html, self.issue_ids, self.linked_ids, self.link_count, self.json_ld = fragment.value
        self.page_tags = fragment.page_tags

    def __getitem__(self, name):
        return SafeString(self.html[name])  # each came out of a template


def kept_parts(brief, request):
    """The parts of live ``brief``'s page (its row, read without its relations): kept ones if
    current, else rendered from the brief read again with everything they show, and kept."""

    def render(names):
        full = brief_page_queryset().get(pk=brief.pk)
        context = {"brief": full, "object": full}
        links = list(full.related_links.all())
        value = (
            {name: str(render_to_string(template(name), context, request)).strip() for name in NAMES},
            [issue.pk for issue in full.issues.all()],
            [link.target_brief_id for link in links if link.target_brief_id],
            len(links),
            json_ld_payload(brief_json_ld_data(full)),
        )
        return {name: (value, page_tags.shown(full) | {f"brief-body:{brief.pk}"}) for name in names}

    name = f"brief-parts:{brief.pk}"
    return BriefParts(fragments.kept([name], render)[name])
