"""A new content type gets the cache layer for free (#21): tests/pagetype declares one thing,
``track(Note, "note")``, and wraps its two views in ``cache_page`` in its URLconf. Its views and
templates are plain Django. Its pages are then kept, tagged for the caches in front, dropped by
an edit of what they show (a save, a delete, ``QuerySet.update()``, ``bulk_create()``) and by
nothing else."""

import pytest

from tests.pagetype.models import Note

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.pagetype.urls")]


@pytest.fixture
def notes():
    return Note.objects.create(title="First note", slug="first"), Note.objects.create(title="Other", slug="other")


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response


def test_a_page_is_kept_and_tagged_with_what_it_shows(client, notes):
    first, _other = notes
    assert page(client, "/notes/first/")["X-Page-Cache"] == "miss"
    hit = page(client, "/notes/first/")
    assert hit["X-Page-Cache"] == "hit"
    assert b"First note" in hit.content
    assert f"note:{first.pk}" in hit["xkey"].split()
    assert f"note:{_other.pk}" not in hit["xkey"].split()
    assert {f"note:{note.pk}" for note in notes} <= set(page(client, "/notes/")["xkey"].split())


def test_an_edit_drops_the_pages_showing_it_and_no_other(client, notes):
    first, other = notes
    for url in ("/notes/first/", "/notes/other/", "/notes/"):
        page(client, url)
    first.title = "First note, corrected"
    first.save()
    response = page(client, "/notes/first/")
    assert (response["X-Page-Cache"], b"corrected" in response.content) == ("miss", True)
    assert b"corrected" in page(client, "/notes/").content
    assert page(client, "/notes/other/")["X-Page-Cache"] == "hit"


def test_a_bulk_update_and_a_bulk_create_keep_pages_fresh(client, notes):
    for url in ("/notes/first/", "/notes/other/", "/notes/"):
        page(client, url)
    Note.objects.filter(slug="first").update(title="Renamed in bulk")
    assert b"Renamed in bulk" in page(client, "/notes/first/").content
    assert page(client, "/notes/other/")["X-Page-Cache"] == "hit"
    Note.objects.bulk_create([Note(title="Made in bulk", slug="bulk")])
    assert b"Made in bulk" in page(client, "/notes/").content


def test_a_deleted_note_is_gone_from_its_page_and_the_list(client, notes):
    first, _other = notes
    page(client, "/notes/first/")
    page(client, "/notes/")
    first.delete()
    assert client.get("/notes/first/").status_code == 404
    assert b"First note" not in page(client, "/notes/").content
