"""The brief form in Chromium (#11): reading order, no horizontal overflow at 1280 px, drag and keyboard
reordering of quotes and Related Reading saved in the new order, CKEditor styled like the public page."""

import re

import pytest

from briefs.models import Brief
from briefs.revisions import pending_revision
from tests.e2e.screens import shot
from tests.factories import BriefFactory, EditorFactory, ExpertFactory, ExpertQuoteFactory, RelatedLinkFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def brief_with_rows(**kwargs):
    brief = BriefFactory(**kwargs)
    for order, name in enumerate(["Bradley Bowman", "Behnam Ben Taleblu", "Mark Dubowitz"], start=1):
        ExpertQuoteFactory(brief=brief, expert=ExpertFactory(name=name), text=f"Quote by {name}.", order=order)
    RelatedLinkFactory(
        brief=brief,
        order=1,
        title="A very long outside title that goes on and on about militias, drones and deterrence",
        url="https://example.org/" + "a-very-long-path/" * 8,
        byline="by A. Writer and B. Writer",
    )
    RelatedLinkFactory(brief=brief, order=2, title="Second reading", url="https://example.org/second", byline="")
    return brief


def test_form_reads_in_page_order_and_fits_1280_px(live_server, log_in, problems):
    EditorFactory(username="edith")
    edith = log_in("edith")
    brief = brief_with_rows(status=Brief.Status.DRAFT, published_at=None, title="Houthi Attacks on Shipping Resume")
    edith.goto(f"/admin/briefs/brief/{brief.pk}/change/")
    headings = edith.locator("#brief_form h2").all_inner_texts()
    wanted = ["the brief", "latest developments", "expert analysis", "further sections", "related reading"]
    wanted.append("publishing")
    found = [next(i for i, text in enumerate(headings) if text.lower().startswith(w)) for w in wanted]
    assert found == sorted(found), headings
    width = edith.evaluate("document.documentElement.scrollWidth")
    assert width <= 1280
    for selector in ("#related_links-0 .inline-deletelink, #related_links-0 span.delete", "#id_related_links-0-url"):
        box = edith.locator(selector).first.bounding_box()
        assert box["x"] + box["width"] <= 1280, selector
    # CKEditor: headings are headings (bigger than the text), lists have bullets, like the public page.
    sizes = edith.evaluate(
        """() => ['h2', 'p'].map(tag => parseFloat(getComputedStyle(
            document.querySelector('.field-body .ck-content ' + tag)).fontSize))"""
    )
    assert sizes[0] > sizes[1] * 1.2
    shot(edith, "13-brief-form", full_page=True)
    edith.set_viewport_size({"width": 360, "height": 800})
    edith.reload()
    assert edith.evaluate("document.documentElement.scrollWidth") <= 360
    shot(edith, "14-brief-form-phone", full_page=True)
    assert problems == []


def test_dragging_and_moving_rows_saves_the_new_order(live_server, log_in, problems):
    EditorFactory(username="edith")
    edith = log_in("edith")
    draft = brief_with_rows(status=Brief.Status.DRAFT, published_at=None)
    edith.goto(f"/admin/briefs/brief/{draft.pk}/change/")
    # Drag the third quote above the first (both in view: a drag that scrolls the page loses its source).
    edith.evaluate("document.getElementById('quotes-0').scrollIntoView()")
    edith.locator("#quotes-2 .reorder-handle").drag_to(edith.locator("#quotes-0 h3"), target_position={"x": 5, "y": 2})
    # And move the first related link down with the keyboard-friendly button.
    edith.locator("#related_links-0 .reorder-down").click()
    shot(edith, "15-reordered", "#quotes-group")
    edith.click("input[name=_continue]")
    edith.wait_for_url(re.compile(r"/change/$"))
    assert [q.expert.name for q in draft.quotes.order_by("order", "pk")] == [
        "Mark Dubowitz",
        "Bradley Bowman",
        "Behnam Ben Taleblu",
    ]
    assert [link.title for link in draft.related_links.order_by("order", "pk")][0] == "Second reading"

    # A live brief: the new order waits in the pending changes, readers keep the old one.
    live = brief_with_rows()
    edith.goto(f"/admin/briefs/brief/{live.pk}/change/")
    edith.locator("#quotes-0 .reorder-down").click()
    edith.evaluate("document.getElementById('related_links-0').scrollIntoView()")
    edith.locator("#related_links-1 .reorder-handle").drag_to(edith.locator("#related_links-0 h3"))
    edith.click("input[name=_continue]")
    edith.wait_for_url(re.compile(r"/change/$"))
    data = pending_revision(live).data
    assert [q["text"] for q in data["quotes"]][:2] == ["Quote by Behnam Ben Taleblu.", "Quote by Bradley Bowman."]
    assert [link["title"] for link in data["related_links"]][0] == "Second reading"
    assert [q.text for q in live.quotes.order_by("order")][0] == "Quote by Bradley Bowman."  # live as it was
    # The form opens on the pending order.
    edith.reload()
    assert "Behnam Ben Taleblu" in edith.locator("#quotes-0 h3").inner_text() or (
        edith.input_value("#id_quotes-0-text") == "Quote by Behnam Ben Taleblu."
    )
    assert problems == []
