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
they are given). Each app names its pages' parts (briefs/parts.py, listings/parts.py).
"""

from django.db.models import Model
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from serving import fragments
from serving import tags as t


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
