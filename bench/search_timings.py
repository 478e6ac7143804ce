"""The benchmark's search run alone, on a database `make bench` (or its seed) already filled.

Run: ``DATABASE_URL=postgres://.../dossier_bench_100000 .venv/bin/python bench/search_timings.py``
(BENCH_SEARCHES queries of two words with one type facet, each rendered BENCH_SEARCH_ROUNDS times;
prints percentiles, query counts, the median number of results and, on PostgreSQL, the plan of
the matching query). Generating 100,000 briefs takes a while; this measures again without it.
"""

import json
import os
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")  # static files without collectstatic; queries are counted anyway
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("LOG_LEVEL", "ERROR")


def main():
    import django

    django.setup()
    import run
    from django.test import Client

    from briefs.models import BriefType

    rng = random.Random(7)  # the same vocabulary and queries as bench/run.py
    urls = run.search_urls(run.bench_vocabulary(rng), list(BriefType.objects.all()), rng)
    result = run.time_searches(Client(), urls)
    plan = result.pop("plan", None)
    print(json.dumps(result, indent=1))
    if plan:
        print(plan)


if __name__ == "__main__":
    main()
