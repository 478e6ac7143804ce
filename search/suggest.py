"""Help for a search: a link to the issue or expert it names, and "did you mean" when nothing matched.

Candidates are issue names, expert names and the words of live briefs' titles (never a hidden
brief's): on PostgreSQL pg_trgm picks titles with a similar word (trigram GIN index), on SQLite
the live titles are read; either way difflib picks the closest word.
"""

import difflib

from briefs.models import Brief
from experts.models import Expert

from .engine import is_postgresql
from .index import fold
from .query import WORD

CUTOFF = 0.75  # how alike (difflib ratio) a suggestion must be
MAX_TITLES = 200
TRIGRAM_THRESHOLD = 0.3


def key(text):
    return fold(" ".join(text.split())).casefold()


def named(query, issues, experts):
    """The issue and the expert whose name is exactly the query (ignoring case and accents)."""
    wanted = key(query)
    issue = next((issue for issue in issues if key(issue.name) == wanted), None)
    expert = next((expert for expert in experts if key(expert.name) == wanted), None)
    return issue, expert


def all_experts():
    return list(Expert.objects.only("pk", "name", "slug"))


def _title_words(words):
    live = Brief.objects.live()
    if is_postgresql():
        from django.db import connection
        from django.db.models import Q

        with connection.cursor() as cursor:  # pg_trgm's default (0.6) misses two swapped letters
            cursor.execute("SET pg_trgm.word_similarity_threshold = %s", [TRIGRAM_THRESHOLD])
        similar = Q()
        for word in words:
            similar |= Q(search_document__title__trigram_word_similar=word)
        live = live.filter(similar).order_by()[:MAX_TITLES]
    titles = live.values_list("title", flat=True)
    return {word.lower() for title in titles for word in WORD.findall(title) if len(word) > 2}


def did_you_mean(query, words, issues, experts):
    """A better query than ``query`` (which found nothing), or None."""
    if not words:
        return None
    names = [issue.name for issue in issues] + [expert.name for expert in experts]
    by_key = {key(name): name for name in names}
    close = difflib.get_close_matches(key(query), list(by_key), n=1, cutoff=CUTOFF)
    if close:
        return by_key[close[0]]
    vocabulary = _title_words(words[:8]) | {w.lower() for name in names for w in WORD.findall(name) if len(w) > 2}
    changed, better = False, []
    for word in words:
        if word in vocabulary:
            better.append(word)
            continue
        match = difflib.get_close_matches(word, vocabulary, n=1, cutoff=CUTOFF)
        better.append(match[0] if match else word)
        changed |= bool(match)
    return " ".join(better) if changed else None
