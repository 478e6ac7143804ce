"""Builds the demo briefs from topics and sentence templates, deterministically.

``brief_specs()`` returns plain dicts (no database access). A seeded ``random.Random`` picks the
sentences, experts and ages, so every run yields exactly the same specs. Dates are given as ages
(time before an anchor) and resolved by the loader, which keeps the anchor of the first load.
"""

import datetime
import random

from django.utils.text import slugify

from . import phrases
from .content import EXPERTS, INSTITUTE, ISSUES, TOPICS

SEED = 20240424
ISSUE_NAMES = {slug: name for slug, name, *_ in ISSUES}
ACTIVE = {slug for slug, _name, _title, _program, active, *_ in EXPERTS if active}
# Words that keep their capital letter inside a sentence.
PROPER_WORDS = {"Arctic", "North", "Sea", "AI"}

# Newest-first positions that demonstrate each workflow rule (the rest are plain live briefs).
DRAFTS = (0, 1, 5)
IN_REVIEW = 2
SCHEDULED = 3
WITHDRAWN = 9
EXPIRED = 25
SCHEDULE_IN = datetime.timedelta(days=7)
EXPIRES_AFTER = datetime.timedelta(days=60)


def lower_phrase(text):
    return " ".join(word if word in PROPER_WORDS else word.lower() for word in text.split())


def with_article(phrase):
    return ("an " if phrase[0] in "aeiou" else "a ") + phrase


def vocabulary(topic, rng):
    """The placeholders every template may use, for one topic."""
    subject, measure, event = topic["subject"], lower_phrase(topic["measure"]), lower_phrase(topic["event"])
    main_issue = topic["issues"][0]
    return {
        "Subject": subject,
        "subject": lower_phrase(subject),
        "actor": topic["actor"],
        "Actor": topic["actor"][0].upper() + topic["actor"][1:],
        "Measure": topic["measure"],
        "measure": measure,
        "a_measure": with_article(measure),
        "Event": topic["event"],
        "the_event": f"the {event}",
        "The_event": f"The {event}",
        "risk": topic["risk"],
        "lever": topic["lever"],
        "watch": topic["watch"],
        "context": topic["context"],
        "weekday": rng.choice(phrases.WEEKDAYS),
        "institute": INSTITUTE,
        "issue_url": f"/issues/{main_issue}/",
        "issue_name": ISSUE_NAMES[main_issue],
    }


def developments(words, rng):
    first = f"{rng.choice(phrases.OPENINGS)} {rng.choice(phrases.FOLLOW_UPS)}".format(**words)
    second = " ".join(rng.sample(phrases.REACTIONS, 2)).format(**words)
    return f"<p>{first}</p><p>{second}</p>"


def body(topic, type_slug, words, rng):
    """Two or three headed sections; a policy memo always ends with recommendations."""
    sections = rng.sample(phrases.SECTIONS, 2 if type_slug == "policy-memo" else rng.choice((2, 3)))
    # Keep the template order so "Background" never follows "What to Watch".
    sections.sort(key=phrases.SECTIONS.index)
    html = [f"<h2>{heading}</h2>{text.format(**words)}" for heading, text in sections]
    if type_slug == "policy-memo" or rng.random() < 0.3:
        items = "".join(f"<li>{item}</li>" for item in topic["recommendations"])
        html.append(f"<h2>Recommendations</h2><p>{INSTITUTE} experts suggest three steps:</p><ul>{items}</ul>")
    return "".join(html)


def outside_byline(rng):
    authors = rng.sample(phrases.OUTSIDE_AUTHORS, rng.choice((1, 1, 2)))
    return "by " + " and ".join(authors)


def outside_links(words, rng):
    """An external report (URL, title, byline) and a citation (title and journal, no URL)."""
    title = rng.choice(phrases.EXTERNAL_TITLES).format(**words)
    url = f"https://{rng.choice(phrases.OUTSIDE_SITES)}/reports/{slugify(title)}"
    external = {"url": url, "title": title, "byline": outside_byline(rng)}
    citation = {"url": "", "title": rng.choice(phrases.CITATION_TITLES).format(**words)}
    citation["byline"] = rng.choice((outside_byline(rng), rng.choice(phrases.JOURNALS)))
    return [external, citation]


def quotes(candidates, words, body_html, rng):
    experts = rng.sample(candidates, min(len(candidates), rng.choice((1, 2, 2, 3))))
    # Don't have an expert repeat what the "What to Watch" section already says.
    pool = [text for text in phrases.QUOTES if "{watch}" not in text or words["watch"] not in body_html]
    texts = rng.sample(pool, len(experts))
    return [(expert, text.format(**words)) for expert, text in zip(experts, texts, strict=True)]


def status_fields(position, age):
    if position in DRAFTS:
        return {"status": "draft", "age": None}
    if position == IN_REVIEW:
        return {"status": "in_review", "age": None}
    if position == SCHEDULED:
        return {"status": "published", "age": None, "schedule_in": SCHEDULE_IN}
    if position == WITHDRAWN:
        return {"status": "withdrawn", "age": age}
    if position == EXPIRED:
        return {"status": "published", "age": age, "expires_after": EXPIRES_AFTER}
    return {"status": "published", "age": age}


def is_live(spec):
    return spec["status"] == "published" and spec["age"] is not None and not spec.get("expires_after")


def brief_specs():
    """Every demo brief as a dict, newest first; the same list on every call."""
    rng = random.Random(SEED)
    pairs = [(topic, pattern) for topic in TOPICS for pattern in phrases.PATTERNS]
    rng.shuffle(pairs)
    specs, rank = [], 0
    for position, (topic, (type_slug, title, summary)) in enumerate(pairs):
        # Undated briefs (drafts, in review, scheduled) take no slot, so the newest live one is recent.
        age = datetime.timedelta(
            days=1 + rank * 14 + rng.randint(0, 9), hours=rng.randint(0, 9), minutes=rng.choice((0, 15, 30, 45))
        )
        rank += position not in (*DRAFTS, IN_REVIEW, SCHEDULED)
        words = vocabulary(topic, rng)
        title = title.format(**words)
        # A former expert appears only in briefs from before she left, about a year ago.
        candidates = [e for e in topic["experts"] if e in ACTIVE or age.days > 365]
        body_html = body(topic, type_slug, words, rng)
        spec = {
            "slug": slugify(title),
            "title": title,
            "type": type_slug,
            "summary": summary.format(**words),
            "developments": developments(words, rng),
            "body": body_html,
            "issues": list(topic["issues"]),
            "authors": sorted(rng.sample(candidates, min(len(candidates), rng.choice((1, 2))))),
            "quotes": quotes(candidates, words, body_html, rng),
            "outside_links": outside_links(words, rng),
            "topic": topic["subject"],
        }
        spec.update(status_fields(position, age))
        specs.append(spec)
    assert len({spec["slug"] for spec in specs}) == len(specs), "demo titles must give unique slugs"
    for spec in specs:
        spec["related_brief"] = related_brief(spec, specs)
    # Every other live Analysis, the newest first, has a lead picture (demo/pictures.py): the
    # home page leads with one. Not all: each picture costs its renditions on every fresh load.
    for spec in [spec for spec in specs if spec["type"] == "analysis" and is_live(spec)][::2]:
        spec["picture"] = f"An abstract landscape illustrating {spec['topic']}"
    return specs


def related_brief(spec, specs):
    """A live brief to list under Related Reading: an older one on the same topic if there is one.

    Only live briefs are linked, so a public page never points at something the public cannot see.
    """
    others = [other for other in specs if other is not spec and is_live(other)]
    older = [other for other in others if spec["age"] is None or other["age"] > spec["age"]]
    for pool in (
        [o for o in older if o["topic"] == spec["topic"]],
        [o for o in others if o["topic"] == spec["topic"]],
        older,
        others,
    ):
        if pool:
            return pool[0]["slug"]
    return None
