"""Tag moves an edit could not write to Redis wait in the database (serving/journal.py), committed
or rolled back with the edit; the real-server proof is tests/server/test_faults.py (a shell edit
while Redis is paused, no stale page once it answers)."""

import socket

import pytest
from django.db import transaction

from serving import journal, versions
from serving.models import PendingMove
from tests.factories import BriefFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def unreachable_redis(settings):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "serving.cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        },
    }
    assert isinstance(versions.store(), versions.CacheVersions)
    yield
    versions.reset_store()


def test_an_edit_the_cache_cannot_take_is_recorded_with_it(unreachable_redis):
    brief = BriefFactory()
    PendingMove.objects.all().delete()
    brief.title = "Retitled while Redis was away"
    brief.save()
    recorded = set().union(*(set(tags) for tags in PendingMove.objects.values_list("tags", flat=True)))
    assert f"brief:{brief.pk}" in recorded


def test_a_record_is_rolled_back_with_its_edit(unreachable_redis):
    brief = BriefFactory()
    PendingMove.objects.all().delete()
    with pytest.raises(RuntimeError), transaction.atomic():
        brief.title = "Never saved"
        brief.save()
        assert PendingMove.objects.exists()
        raise RuntimeError("the edit fails")
    assert not PendingMove.objects.exists()


def test_pending_moves_wait_while_the_cache_is_away(unreachable_redis):
    PendingMove.objects.create(tags=["brief:1"])
    assert journal.apply_pending() == set()
    assert PendingMove.objects.count() == 1


def test_pending_moves_are_moved_and_forgotten_once_it_answers():
    """With versions the cache takes (this machine's shared memory here), the rows are applied."""
    PendingMove.objects.create(tags=["brief:1", "listing:issue:2"])
    before = versions.store().get(["brief:1", "listing:issue:2"])
    assert journal.apply_pending() == {"brief:1", "listing:issue:2"}
    assert not PendingMove.objects.exists()
    after = versions.store().get(["brief:1", "listing:issue:2"])
    assert all(after[tag] != before[tag] for tag in before)
