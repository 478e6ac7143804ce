"""The search log: counts per normalised query and day, nothing about readers; it never breaks a search."""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from search.models import SearchLog
from tests.factories import BriefFactory, ContributorFactory, EditorFactory
from tests.search_helpers import search

pytestmark = pytest.mark.django_db


@pytest.fixture
def briefs():
    BriefFactory(title="Drones over the strait", slug="drones")


def test_searches_are_counted_per_normalised_query_and_day(client, briefs):
    search(client, "Drones")
    search(client, "  drones ")
    search(client, "drones", page="1")
    search(client, "DRONES", issue="nope")  # filters are not part of the key
    search(client, "zeppelins")
    search(client, "")  # browsing without words is not a search
    rows = {row.query: row for row in SearchLog.objects.all()}
    assert set(rows) == {"drones", "zeppelins"}
    assert (rows["drones"].count, rows["drones"].zero_results, rows["drones"].day) == (4, 0, timezone.localdate())
    assert (rows["zeppelins"].count, rows["zeppelins"].zero_results) == (1, 1)


def test_later_pages_of_a_search_are_not_counted_again(client):
    for n in range(25):
        BriefFactory(title=f"Hormuz {n}", slug=f"hormuz-{n}")
    search(client, "hormuz")
    search(client, "hormuz", page="2")
    assert SearchLog.objects.get().count == 1


def test_nothing_about_the_reader_is_kept(client, briefs):
    client.get("/search/", {"q": "drones"}, HTTP_USER_AGENT="Secret Browser 1.0", REMOTE_ADDR="203.0.113.9")
    columns = {field.name for field in SearchLog._meta.get_fields()}
    assert columns == {"id", "day", "query", "count", "zero_results"}
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {SearchLog._meta.db_table}")
        stored = repr(cursor.fetchall())
    assert "203.0.113.9" not in stored and "Secret" not in stored


def test_a_broken_log_never_breaks_the_search(client, briefs, caplog):
    with connection.cursor() as cursor:  # a real failure: the table is gone (rolled back after the test)
        cursor.execute(f"DROP TABLE {SearchLog._meta.db_table}")
    response, titles = search(client, "drones")
    assert response.status_code == 200 and titles == ["Drones over the strait"]
    assert "Could not record a search" in caplog.text
    response, titles = search(client, "strait")  # the connection is still usable
    assert titles == ["Drones over the strait"]


def test_editors_see_frequent_searches_and_those_that_found_nothing(client, briefs):
    today = timezone.localdate()
    SearchLog.objects.create(day=today, query="drones", count=7, zero_results=0)
    SearchLog.objects.create(day=today - datetime.timedelta(days=3), query="drones", count=5, zero_results=0)
    SearchLog.objects.create(day=today, query="zeppelins", count=2, zero_results=2)
    SearchLog.objects.create(day=today - datetime.timedelta(days=45), query="ancient", count=99, zero_results=99)
    client.force_login(EditorFactory())
    response = client.get("/admin/search/searchlog/")
    assert response.status_code == 200
    body = response.content.decode()
    nothing, frequent = body.split("<h2>Searches that found nothing</h2>")[1].split("<h2>Most frequent searches</h2>")
    assert "<td>zeppelins</td><td>2</td>" in nothing and "drones" not in nothing
    assert ">drones</a></td><td>12</td><td>0</td>" in frequent  # two days summed
    assert "ancient" not in body  # older than 30 days
    assert "/admin/search/searchlog/" in client.get("/admin/").content.decode()  # listed in the admin


def test_contributors_cannot_read_the_log(client):
    client.force_login(ContributorFactory())
    assert client.get("/admin/search/searchlog/").status_code == 403
