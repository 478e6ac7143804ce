"""Arbitrary Unicode (controls, lone surrogates, non-characters, bidi controls, emoji, right-to-left
text) through the brief form, the importer and the validators: either a clear error, or a page and
feeds that answer 200 and are well-formed XML (lxml, no recovery)."""

import re
from xml.sax.saxutils import escape

import feedparser
import pytest
from django.core.management import CommandError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from lxml import etree

from briefs.models import Brief
from core.textcheck import validate_xml_safe, xml_safe
from tests.conftest import clear_cache
from tests.import_helpers import RED_SEA, run, taxonomy  # noqa: F401 (a fixture)
from tests.test_admin import ADD_URL, brief_post, errors_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("taxonomy")]

# Characters that have broken text pipelines before, mixed into ordinary Unicode.
TRICKY = (
    "\x00\x01\x08\t\n\x0b\x0c\r\x1b\x1f\x7f\x85\xa0"  # controls, NEL, no-break space
    "\ufffe\uffff\ufeff\ufffd\u200b\u200d\u200e\u200f"  # non-characters, BOM, zero-width, marks
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"  # bidi embeddings, overrides, isolates
    "سلام עולם"  # right-to-left letters
    "🚀👍🏽\U0001f1ee\U0001f1f7\U0010fffd"  # emoji, a modifier, a flag, a private-use plane
    "<>&\"'“”"  # markup and quote marks
)
SURROGATES = "\ud800\udbff\udc00\udfff"
PLAIN = st.characters(exclude_categories=("Cs",))
# What a browser can post: anything but lone surrogates (UTF-8 cannot encode them).
POSTABLE = st.text(alphabet=st.one_of(st.sampled_from(TRICKY), PLAIN), min_size=1, max_size=30)
ANY_TEXT = st.text(alphabet=st.one_of(st.sampled_from(TRICKY + SURROGATES), PLAIN, st.characters()), max_size=30)
FEW = settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)


def assert_well_formed_feeds(client, urls):
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        etree.fromstring(response.content)  # raises on a single illegal character
        parsed = feedparser.parse(response.content)
        assert not parsed.bozo, (url, parsed.get("bozo_exception"))


@FEW
@given(text=ANY_TEXT)
def test_the_validator_accepts_exactly_what_xml_can_parse(text):
    document = b"<a>" + escape(text).encode("utf-8", "surrogatepass") + b"</a>"
    try:
        etree.fromstring(document)
        parses = True
    except etree.XMLSyntaxError:
        parses = False
    try:
        validate_xml_safe(text)
        accepted = True
    except Exception:
        accepted = False
    assert accepted == parses
    # And the output cleaner always leaves something XML can parse.
    etree.fromstring(b"<a>" + escape(xml_safe(text)).encode("utf-8", "surrogatepass") + b"</a>")


@pytest.fixture
def form_base(admin_client):
    return brief_post()


@FEW
@given(
    field=st.sampled_from(["title", "summary", "quotes-1-text", "quotes-1-expert_title", "related_links-1-title"]),
    text=POSTABLE,
)
@example(field="title", text="\x01")
@example(field="summary", text="\uffff")
@example(field="title", text="\u202e")
@example(field="quotes-1-text", text="سلام \u2067עולם\u2069 🚀")
def test_brief_form_gives_an_error_or_a_well_formed_brief(client, admin_client, form_base, field, text):
    clear_cache()
    with transaction.atomic():
        data = {**form_base, field: f"Iran {text} militias"}
        response = admin_client.post(ADD_URL, data)
        if response.status_code == 200:
            event("form error")
            assert errors_of(response), "a 200 without a form error"
            assert not Brief.objects.filter(slug=form_base["slug"]).exists()
        else:
            event("saved and published")
            assert response.status_code == 302
            brief = Brief.objects.get(slug=form_base["slug"])
            Brief.objects.filter(pk=brief.pk).update(status="published", published_at=timezone.now())
            brief.refresh_from_db()
            assert client.get(brief.get_absolute_url()).status_code == 200
            expert, issue = brief.authors.get(), brief.issues.order_by("name").first()
            assert_well_formed_feeds(
                client,
                [
                    reverse("briefs:feed"),
                    reverse("briefs:feed_atom"),
                    reverse("briefs:type_feed", kwargs={"slug": brief.type.slug}),
                    reverse("experts:feed_atom", kwargs={"slug": expert.slug}),
                    reverse("issues:feed", kwargs={"slug": issue.slug}),
                ],
            )
        transaction.set_rollback(True)


@FEW
@given(
    where=st.sampled_from(["Houthi Strikes Push", "War-risk premiums", "Senior Fellow at", "by Dana Whitfield"]),
    text=st.text(alphabet=st.one_of(st.sampled_from(TRICKY + SURROGATES), PLAIN), min_size=1, max_size=5),
)
@example(where="War-risk premiums", text="\ufffe")
@example(where="Houthi Strikes Push", text="\u202e")
@example(where="War-risk premiums", text="\ud800")
@example(where="Senior Fellow at", text="سلام 👍🏽")
def test_importer_gives_a_file_line_error_or_well_formed_feeds(client, tmp_path, where, text):
    clear_cache()
    export = tmp_path / "odd.txt"
    # Lone surrogates written as their (invalid) UTF-8 bytes, as a broken export would hold them.
    export.write_bytes(RED_SEA.read_text().replace(where, f"{where} {text}").encode("utf-8", "surrogatepass"))
    with transaction.atomic():
        try:
            run(export, "--publish")
        except CommandError as error:
            event("import refused")
            assert re.search(rf"{re.escape(str(export))}:\d+: \S", str(error)), str(error)
            assert "Traceback" not in str(error)
        else:
            event("imported and published")
            brief = Brief.objects.get()
            assert client.get(brief.get_absolute_url()).status_code == 200
            assert_well_formed_feeds(client, [reverse("briefs:feed"), reverse("briefs:feed_atom")])
        transaction.set_rollback(True)
