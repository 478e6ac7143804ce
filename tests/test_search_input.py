"""Bad input on /search/ and /briefs/ gets a clear answer, never a 500 (a hypothesis test included)."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search.query import parse
from tests.factories import BriefFactory, IssueFactory
from tests.search_helpers import facets, found, search

pytestmark = pytest.mark.django_db


@pytest.fixture
def briefs():
    issue = IssueFactory(name="Iran", slug="iran")
    BriefFactory(title="Drones over the strait", slug="drones", issues=[issue])
    BriefFactory(title="NEAR the border: a note", slug="near", summary="Prices rose 5*3 ^ 2: a:b.")


def test_an_empty_query_shows_the_form_and_the_facets_for_everything(client, briefs):
    response, titles = search(client, "")
    assert response.status_code == 200
    assert 'id="search-q"' in response.content.decode()
    assert len(titles) == 2 and found(response) == 2
    assert facets(response)["issue"] == {"Iran": 1}


def test_a_long_query_is_cut_not_refused(client, briefs):
    response, titles = search(client, "drones " + "x" * 500)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'value="drones ' + "x" * 193 + '"' in body  # 200 characters kept


@pytest.mark.parametrize(
    "q",
    [
        '"drones',
        'drones"',
        '""',
        "-",
        "--drones",
        "or",
        "drones or",
        "or drones",
        "*",
        "drones*",
        "NEAR(drones strait)",
        "^drones",
        "title:drones",
        "drones AND",
        "NOT drones",
        "'; DROP TABLE briefs_brief; --",
        "\\",
        "%",
        "_",
        "()",
        "{title} : drones",
        "\x00drones",
        "ड्रोन",
        "🙂",
    ],
)
def test_syntax_characters_are_words_never_a_500(client, briefs, q):
    response, _ = search(client, q)
    assert response.status_code == 200


def test_syntax_words_are_matched_as_words(client, briefs):
    _, titles = search(client, "NEAR")
    assert titles == ["NEAR the border: a note"]
    _, titles = search(client, '"drones')  # the lone quote is dropped
    assert titles == ["Drones over the strait"]
    _, titles = search(client, "drones*")  # no prefix search: a star is not syntax
    assert titles == ["Drones over the strait"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"issue": "nope"}, "There is no issue “nope”"),
        ({"expert": "nobody"}, "There is no expert “nobody”"),
        ({"type": "zine"}, "There is no type of brief “zine”"),
        ({"from_": "2024-13-01"}, "Enter a date as YYYY-MM-DD."),
        ({"to": "yesterday"}, "Enter a date as YYYY-MM-DD."),
        ({"from_": "0001-01-01"}, "Pick a date between 1900 and 9998."),
        ({"to": "9999-12-31"}, "Pick a date between 1900 and 9998."),
        ({"from_": "2024-05-02", "to": "2024-05-01"}, "The “to” date is before the “from” date"),
        ({"sort": "popularity"}, "Results can be sorted by relevance or date"),
    ],
)
@pytest.mark.parametrize("url", ["/search/", "/briefs/"])
def test_unusable_filters_show_a_message_and_the_rest_still_runs(client, briefs, params, message, url):
    query = {k.rstrip("_"): v for k, v in params.items()}
    response = client.get(url, {"q": "drones", **query} if url == "/search/" else query)
    assert response.status_code == 200
    body = response.content.decode()
    assert message in body
    assert "Drones over the strait" in body


@pytest.mark.parametrize("page", ["zz", "0", "-1", "99", "1.5", "last2", "²", "1²", "00"])
@pytest.mark.parametrize("url", ["/search/", "/briefs/"])
def test_page_garbage_is_404(client, briefs, url, page):
    assert client.get(url, {"q": "drones", "page": page}).status_code == 404


def test_repeated_and_huge_parameters_are_answered(client, briefs):
    response = client.get("/search/", {"issue": ["iran", "x" * 5000], "q": ["a", "b"], "expert": "y" * 5000})
    assert response.status_code == 200


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=st.text(max_size=250))
def test_any_query_string_is_answered_never_a_500(client, briefs, q):
    response = client.get("/search/", {"q": q})
    assert response.status_code == 200


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    q=st.text(alphabet=st.sampled_from(list("ab -\"*^:()OR or NEAR{}\\'%_")), max_size=40),
    issue=st.text(max_size=10),
    start=st.text(max_size=12),
    page=st.one_of(st.none(), st.text(max_size=4)),
)
def test_any_combination_of_parameters_is_200_or_404(client, briefs, q, issue, start, page):
    params = {"q": q, "issue": issue, "from": start}
    if page is not None:
        params["page"] = page
    response = client.get("/search/", params)
    assert response.status_code in (200, 404)


@given(q=st.text(max_size=300))
def test_the_parser_only_ever_emits_quoted_letters_and_digits(q):
    parsed = parse(q)
    for clause in parsed.clauses:
        for phrase in clause:
            assert phrase and all(word.isalnum() for word in phrase)
    for phrase in parsed.excluded:
        assert phrase and all(word.isalnum() for word in phrase)
    assert '""' not in parsed.fts5_wanted()
