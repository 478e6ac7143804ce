"""PostgreSQL only (CI's PostgreSQL pass): the stored weighted vector, the GIN index, pg_trgm."""

import pytest
from django.db import connection

from search import engine
from search.models import BriefDocument
from search.query import parse
from tests.factories import BriefFactory, ExpertFactory, ExpertQuoteFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.postgresql,
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL's full-text search"),
]


def test_the_stored_vector_weights_title_a_people_and_quotes_b_text_c():
    brief = BriefFactory(
        title="Gunboats", summary="Frigates.", body="<p>Corvettes.</p>", authors=[ExpertFactory(name="Ana Żak")]
    )
    ExpertQuoteFactory(brief=brief, text="Submarines.")
    vector = str(BriefDocument.objects.get(pk=brief.pk).vector)
    assert "'gunboat':1A" in vector
    assert "'frigat':" in vector and "B" in vector.split("'frigat':")[1].split(" ")[0]
    assert "'submarin':" in vector and "B" in vector.split("'submarin':")[1].split(" ")[0]
    assert "'corvett':" in vector and "C" in vector.split("'corvett':")[1].split(" ")[0]
    assert "'zak'" in vector  # the folded name, so "Zak" finds "Żak"


def test_the_match_can_use_the_gin_index():
    for n in range(30):
        BriefFactory(title=f"Brief {n} about frigates", slug=f"b-{n}")
    # The documents matched by a two-word query (a test's tiny table would be scanned otherwise; at
    # 100,000 briefs `make bench` shows the planner choosing the index itself).
    documents = BriefDocument.objects.filter(vector=engine._ts_query(parse("frigates about")))
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    assert "Bitmap Index Scan on search_doc_vector_gin" in documents.explain()
    assert documents.count() == 30


def test_the_trigram_extension_and_index_exist():
    with connection.cursor() as cursor:
        cursor.execute("SELECT extname FROM pg_extension WHERE extname = 'pg_trgm'")
        assert cursor.fetchone() == ("pg_trgm",)
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'search_doc_title_trgm'")
        assert "gin_trgm_ops" in cursor.fetchone()[0]


def test_document_rows_keep_their_text_and_vector_out_of_line():
    # A match reads only the brief ids of the matching rows: small rows are fewer pages to read.
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = 'search_briefdocument'")
        assert "toast_tuple_target=128" in cursor.fetchone()[0]


def test_liveness_and_type_of_matches_come_from_a_narrow_index():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'brief_live_by_id'")
        assert "(id, status, published_at, expires_at, type_id)" in cursor.fetchone()[0]
