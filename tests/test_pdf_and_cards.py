"""A brief's PDF (WeasyPrint) and social card (Pillow) (#13): made once per version, kept, served
as files; the PDF carries the brief's metadata and every paragraph of its text. Since #21 the worker
makes them when a version goes live (``make_files`` here; tests/test_brief_files.py for the rest)."""

import datetime
import io
import re
import time

import pypdf
import pytest
from django.utils import timezone
from PIL import Image

from briefs import cards, pdf
from briefs.models import Correction
from tests.brief_files import make_files
from tests.factories import BriefFactory, BriefTypeFactory, ExpertFactory, ExpertQuoteFactory, IssueFactory
from tests.site_data import text

pytestmark = pytest.mark.django_db

DEVELOPMENTS = "<p>On April 23, the Houthis fired two missiles at a merchant vessel.</p><p>The ship was not hit.</p>"
BODY = "<h2>Background</h2><p>The attacks began in November 2023.</p><ul><li>Red Sea shipping fell by half.</li></ul>"


def counting(monkeypatch, module, name):
    """Count calls to ``module.name`` (which still runs for real)."""
    calls = []
    real = getattr(module, name)

    def spy(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, spy)
    return calls


def stored(settings, folder):
    root = settings.MEDIA_ROOT / folder
    return sorted(p.relative_to(root) for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.fixture
def brief():
    brief = BriefFactory(
        title="Houthis strike again",
        type=BriefTypeFactory(name="Flash Brief"),
        developments=DEVELOPMENTS,
        body=BODY,
        authors=[ExpertFactory(name="Bradley Bowman"), ExpertFactory(name="Jane Doe")],
        issues=[IssueFactory(name="Yemen"), IssueFactory(name="Iran")],
    )
    ExpertQuoteFactory(brief=brief, text="Deterrence has failed.\n\nIt can be restored.")
    return brief


def pdf_text(content):
    reader = pypdf.PdfReader(io.BytesIO(content))
    return reader, " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def test_pdf_has_the_metadata_and_every_paragraph(client, brief, settings, monkeypatch):
    made = counting(monkeypatch, pdf, "make_pdf")
    make_files(brief)
    response = client.get(brief.get_absolute_url() + "pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="' + brief.slug + '.pdf"' in response["Content-Disposition"]
    content = b"".join(response.streaming_content)
    reader, words = pdf_text(content)
    meta = reader.metadata
    assert meta.title == "Houthis strike again"
    assert meta.author == "Bradley Bowman, Jane Doe"  # WeasyPrint joins the authors
    assert meta.subject == "Iran; Yemen"
    assert set(meta["/Keywords"].split(", ")) == {"Iran", "Yemen"}
    for paragraph in [
        "Houthis strike again",
        "On April 23, the Houthis fired two missiles at a merchant vessel.",
        "The ship was not hit.",
        "Deterrence has failed.",
        "It can be restored.",
        "The attacks began in November 2023.",
        "Red Sea shipping fell by half.",
        "Latest Developments",
        "Expert Analysis",
    ]:
        assert paragraph in words, paragraph
    for absent in ("Share", "Cite this brief", "Skip to content", "Download PDF"):
        assert absent not in words, absent
    assert len(made) == 1

    again = client.get(brief.get_absolute_url() + "pdf/")
    assert b"".join(again.streaming_content) == content
    assert len(made) == 1  # served from storage: no second PDF
    assert len(stored(settings, "briefs/pdf")) == 1


def test_a_correction_makes_a_new_pdf_with_the_note(client, brief, settings):
    make_files(brief)
    client.get(brief.get_absolute_url() + "pdf/")
    (first,) = stored(settings, "briefs/pdf")
    at = timezone.now() - datetime.timedelta(minutes=1)
    Correction.objects.create(brief=brief, text="The vessel was Greek-owned, not Maltese.", at=at)
    brief.corrected_at = at
    brief.save()
    make_files(brief)
    response = client.get(brief.get_absolute_url() + "pdf/")
    _reader, words = pdf_text(b"".join(response.streaming_content))
    assert "The vessel was Greek-owned, not Maltese." in words
    (second,) = stored(settings, "briefs/pdf")  # the old version is deleted
    assert second != first


def test_social_card_is_drawn_once_and_named_absolutely_in_the_page(client, brief, settings, monkeypatch):
    drawn = counting(monkeypatch, cards, "draw_card")
    html = text(client.get(brief.get_absolute_url()))
    assert drawn == []  # rendering the page draws nothing
    make_files(brief)
    (og_image,) = re.findall(r'<meta property="og:image" content="([^"]+)">', html)
    assert og_image.startswith("http://localhost:8000" + brief.get_absolute_url() + "card.png?v=")
    assert f'<meta name="twitter:image" content="{og_image.replace("&", "&amp;")}">' in html
    response = client.get(og_image.removeprefix("http://localhost:8000"))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(b"".join(response.streaming_content)))
    assert image.size == (1200, 630)
    assert drawn == [
        (
            "Dossier",
            "Flash Brief",
            "Houthis strike again",
            timezone.localtime(brief.published_at).strftime("%B %-d, %Y"),
        )
    ]
    client.get(og_image.removeprefix("http://localhost:8000"))
    assert len(drawn) == 1 and len(stored(settings, "cards")) == 1

    brief.title = "Houthis strike a third time"
    brief.save()
    make_files(brief)
    html = text(client.get(brief.get_absolute_url()))
    (new_image,) = re.findall(r'<meta property="og:image" content="([^"]+)">', html)
    assert new_image != og_image  # a new version for networks that keep the old picture
    assert client.get(new_image.removeprefix("http://localhost:8000")).status_code == 200
    assert len(drawn) == 2 and len(stored(settings, "cards")) == 1  # the old card is deleted


@pytest.mark.parametrize("url", ["/", "/briefs/", "/issues/", "/experts/", "/about/"])
def test_every_other_page_has_the_institute_card(client, site, url):
    html = text(client.get(url))
    (og_image,) = re.findall(r'<meta property="og:image" content="([^"]+)">', html)
    assert og_image == "http://localhost:8000/card.png"
    response = client.get("/card.png")
    assert response.status_code == 200
    assert Image.open(io.BytesIO(b"".join(response.streaming_content))).size == (1200, 630)


def test_first_pdf_and_card_cost_is_measured(client, brief, capsys):
    """Not a speed test (those live in `make bench`): prints what a first PDF and card cost here
    (made by the worker since #21)."""
    started = time.perf_counter()
    make_files(brief, parts=["pdf"])
    assert client.get(brief.get_absolute_url() + "pdf/").status_code == 200
    first_pdf = time.perf_counter() - started
    started = time.perf_counter()
    make_files(brief, parts=["card"])
    assert client.get(brief.get_absolute_url() + "card.png").status_code == 200
    first_card = time.perf_counter() - started
    with capsys.disabled():
        print(f"\nfirst PDF {first_pdf * 1000:.0f} ms, first social card {first_card * 1000:.0f} ms")


def test_withdrawing_a_brief_deletes_its_pdf_and_card(client, brief, settings, django_capture_on_commit_callbacks):
    from briefs import workflow
    from tests.factories import SuperUserFactory

    make_files(brief)
    client.get(brief.get_absolute_url() + "pdf/")
    client.get(brief.get_absolute_url() + "card.png")
    assert len(stored(settings, "briefs/pdf")) == 1 and len(stored(settings, "cards")) == 1
    url = brief.get_absolute_url()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.withdraw(brief=brief, user=SuperUserFactory(), comment="Superseded.")
    assert stored(settings, "briefs/pdf") == [] and stored(settings, "cards") == []
    assert client.get(url + "pdf/").status_code == 404 and client.get(url + "card.png").status_code == 404
