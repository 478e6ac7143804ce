"""Cite this brief (#13): APA, Chicago and MLA text for one, two and four authors, and BibTeX and RIS
records that reference managers' own parsers read back."""

import datetime

import bibtexparser
import pytest
import rispy
from django.utils import timezone

from briefs.citations import citations
from briefs.models import Brief
from tests.brief_files import make_files
from tests.factories import BriefFactory, BriefTypeFactory, ExpertFactory, IssueFactory
from tests.site_data import text

pytestmark = pytest.mark.django_db

# A brief lists its authors by name (the byline and the citations agree).
NAMES = ["Bradley Bowman", "Jane Q. Doe", "Pat Poe", "Rick Roe"]
PUBLISHED = datetime.datetime(2024, 4, 24, 14, 0, tzinfo=datetime.UTC)
ACCESSED = datetime.datetime(2026, 11, 30, 15, 0, tzinfo=datetime.UTC)
URL = "http://localhost:8000/briefs/2024/04/24/houthis-strike/"

# What each style prints for 1, 2 and 4 authors (APA 7, Chicago notes-bibliography 18, MLA 9).
EXPECTED = {
    1: {
        "APA": "Bowman, B. (2024). Houthis strike again [Flash Brief]. Northgate Institute. " + URL,
        "Chicago": "Bowman, Bradley. Houthis Strike Again. Flash Brief. Northgate Institute, 2024. " + URL + ".",
        "MLA": "Bowman, Bradley. Houthis Strike Again. Flash Brief. Northgate Institute, 24 Apr. 2024, " + URL + ".",
    },
    2: {
        "APA": "Bowman, B., & Doe, J. Q. (2024). Houthis strike again [Flash Brief]. Northgate Institute. " + URL,
        "Chicago": "Bowman, Bradley, and Jane Q. Doe. Houthis Strike Again. Flash Brief. Northgate Institute, 2024. "
        + URL
        + ".",
        "MLA": "Bowman, Bradley, and Jane Q. Doe. Houthis Strike Again. Flash Brief. Northgate Institute, "
        "24 Apr. 2024, " + URL + ".",
    },
    4: {
        "APA": "Bowman, B., Doe, J. Q., Poe, P., & Roe, R. (2024). Houthis strike again [Flash Brief]. "
        "Northgate Institute. " + URL,
        "Chicago": "Bowman, Bradley, Jane Q. Doe, Pat Poe, and Rick Roe. Houthis Strike Again. Flash Brief. "
        "Northgate Institute, 2024. " + URL + ".",
        "MLA": "Bowman, Bradley, et al. Houthis Strike Again. Flash Brief. Northgate Institute, 24 Apr. 2024, "
        + URL
        + ".",
    },
}


@pytest.fixture(autouse=True)
def _institute(settings):
    settings.SITE_NAME = "Northgate Institute"
    settings.SITE_URL = "http://localhost:8000"


def make_brief(count, **kwargs):
    authors = [ExpertFactory(name=name, slug=f"author-{i}") for i, name in enumerate(NAMES[:count])]
    kwargs.setdefault("title", "Houthis strike again")
    return BriefFactory(
        slug="houthis-strike",
        type=BriefTypeFactory(name="Flash Brief"),
        published_at=PUBLISHED,
        authors=authors,
        issues=[IssueFactory(name="Yemen"), IssueFactory(name="Iran")],
        **kwargs,
    )


@pytest.mark.parametrize("count", [1, 2, 4])
def test_each_style_cites_one_two_and_four_authors(count):
    brief = make_brief(count)
    cited = {label: plain for label, plain, _html in citations(brief, accessed=ACCESSED)}
    assert cited == EXPECTED[count]


def test_a_brief_without_authors_is_cited_to_the_institute_and_html_is_escaped():
    brief = make_brief(0, title="Iran & the <b>Houthis</b>")
    for label, plain, html in citations(brief, accessed=ACCESSED):
        assert plain.startswith("Northgate Institute"), (label, plain)
        assert "Iran & the <b>Houthis</b>" in plain or "Iran & the <b>Houthis</b>".title() in plain
        assert "<b>" not in html and "&lt;b&gt;" in html, (label, html)
        assert "<i>" in html  # the title in italics, as every style sets it


def test_brief_page_shows_the_three_citations_with_copy_buttons_and_downloads(client):
    brief = make_brief(2)
    make_files(brief, parts=["citations"])  # the worker, when the version went live (#21)
    html = text(client.get(brief.get_absolute_url()))
    cite = html[html.index('id="cite"') :]
    for label in ("APA", "Chicago", "MLA"):
        assert f'id="citation-{label.lower()}"' in cite
        assert f'data-copy="#citation-{label.lower()}" hidden>Copy {label} citation</button>' in cite
    assert "Bowman, B., &amp; Doe, J. Q. (2024). <i>Houthis strike again</i> [Flash Brief]" in cite
    assert 'href="/briefs/2024/04/24/houthis-strike/cite.bib"' in cite
    assert 'href="/briefs/2024/04/24/houthis-strike/cite.ris"' in cite


@pytest.mark.parametrize("count", [0, 1, 4])
def test_bibtex_download_parses_with_its_authors_title_and_url(client, count):
    brief = make_brief(count, title="Iran & 50% of {the} Houthis_strike")
    make_files(brief, parts=["citations"])
    response = client.get(brief.get_absolute_url() + "cite.bib")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-bibtex; charset=utf-8"
    assert 'filename="houthis-strike.bib"' in response["Content-Disposition"]
    library = bibtexparser.parse_string(response.content.decode())
    assert not library.failed_blocks
    (entry,) = library.entries
    assert entry.entry_type == "techreport"
    fields = {field.key: field.value for field in entry.fields}
    authors = [name.strip() for name in fields["author"].split(" and ")]
    expected = {
        0: ["{Northgate Institute}"],
        1: ["Bowman, Bradley"],
        4: ["Bowman, Bradley", "Doe, Jane Q.", "Poe, Pat", "Roe, Rick"],
    }
    assert authors == expected[count]
    assert fields["title"] == r"{Iran \& 50\% of \{the\} Houthis\_strike}"
    assert fields["institution"] == "Northgate Institute"
    assert fields["type"] == "Flash Brief"
    assert fields["year"] == "2024" and fields["month"] == "apr" and fields["date"] == "2024-04-24"
    assert fields["url"] == URL
    assert fields["urldate"] == timezone.localdate().isoformat()


@pytest.mark.parametrize("count", [0, 2, 4])
def test_ris_download_parses_with_authors_date_publisher_and_keywords(client, count):
    brief = make_brief(count, summary="Two lines\nof summary.")
    make_files(brief, parts=["citations"])
    response = client.get(brief.get_absolute_url() + "cite.ris")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-research-info-systems; charset=utf-8"
    (record,) = rispy.loads(response.content.decode())
    assert record["type_of_reference"] == "RPRT"
    assert record["title"] == "Houthis strike again"
    expected = {
        0: ["Northgate Institute"],
        2: ["Bowman, Bradley", "Doe, Jane Q."],
        4: ["Bowman, Bradley", "Doe, Jane Q.", "Poe, Pat", "Roe, Rick"],
    }
    assert record["authors"] == expected[count]
    assert record["year"] == "2024" and record["date"] == "2024/04/24"
    assert record["publisher"] == "Northgate Institute"
    assert record["urls"] == [URL]
    assert record["abstract"] == "Two lines of summary."
    assert sorted(record["keywords"]) == ["Iran", "Yemen"]


@pytest.mark.parametrize("suffix", ["cite.bib", "cite.ris", "pdf/", "card.png"])
def test_files_of_a_brief_that_is_not_live_are_404(client, suffix):
    brief = make_brief(1)
    url = brief.get_absolute_url() + suffix
    for change in (
        {"status": Brief.Status.WITHDRAWN},
        {"status": Brief.Status.DRAFT},
        {"status": Brief.Status.PUBLISHED, "published_at": timezone.now() + datetime.timedelta(days=1)},
    ):
        Brief.objects.filter(pk=brief.pk).update(**change)
        assert client.get(url).status_code == 404, (change, suffix)
    assert client.get("/briefs/2024/04/25/houthis-strike/" + suffix).status_code == 404  # wrong date
    assert client.post(brief.get_absolute_url() + suffix).status_code in (404, 405)
