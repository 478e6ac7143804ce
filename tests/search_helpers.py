"""Helpers for the search tests: run a search as a reader does and read the page back."""

import html
import re

from django.db import connection

RESULT_TITLE = re.compile(
    r'<article class="card result">.*?<h3 class="card-title"><a href="[^"]*">(.*?)</a></h3>', re.S
)
FACET = re.compile(r'<section class="panel facet" aria-labelledby="facet-(\w+)">(.*?)</section>', re.S)
OPTION = re.compile(r'<span class="facet-label">(.*?)</span> <span class="facet-count">(\d+)</span>')


def is_postgresql():
    return connection.vendor == "postgresql"


def search(client, q=None, **params):
    """GET /search/ with ``q`` and filters (``from_`` for ``from``); returns (response, result titles)."""
    query = {k.rstrip("_"): v for k, v in params.items()}
    if q is not None:
        query["q"] = q
    response = client.get("/search/", query)
    return response, titles(response)


def titles(response):
    return [html.unescape(title) for title in RESULT_TITLE.findall(response.content.decode())]


def facets(response):
    """{facet name: {label: count}} as shown on the page."""
    body = response.content.decode()
    return {
        name: {html.unescape(label): int(count) for label, count in OPTION.findall(section)}
        for name, section in FACET.findall(body)
    }


def found(response):
    match = re.search(r'class="results-count">(\d+) result', response.content.decode())
    return int(match.group(1))
