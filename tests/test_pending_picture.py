"""A live brief's lead picture changes through pending changes (#13), like its text: a new upload,
new alt text or a removed picture wait in the pending revision, shown only in its preview, until an
editor publishes it; discarding the pending changes leaves the live picture."""

import re
from pathlib import PurePath

import pytest
from django.test import Client
from django.urls import reverse

from briefs.revisions import live_revision, pending_revision
from tests.admin_forms import brief_change_url, change_form_data, edit_brief
from tests.brief_files import make_files
from tests.factories import BriefFactory, SuperUserFactory
from tests.test_admin import errors_of
from tests.test_pictures import jpeg

pytestmark = pytest.mark.django_db

LIVE_ALT = "A tanker escorted by two patrol boats"
NEW_ALT = "Container cranes at the port of Hodeidah"


@pytest.fixture
def editor(client):
    client.force_login(SuperUserFactory(username="editor"))


@pytest.fixture
def live_brief():
    return BriefFactory(
        title="Tankers in the Strait",
        lead_image=jpeg("tanker.jpg", colour=(200, 40, 40)),
        lead_image_alt=LIVE_ALT,
        lead_image_caption="The Strait of Hormuz in April.",
        lead_image_credit="Reuters/Jane Doe",
    )


def public_page(brief):
    """The brief as an anonymous reader gets it (through the public page cache)."""
    response = Client().get(brief.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def lead_figure(html):
    if '<figure class="lead-figure">' not in html:
        return ""
    figure = html[html.index('<figure class="lead-figure">') :]
    return figure[: figure.index("</figure>")]


def shows_picture(html, name, settings):
    """Whether the page's lead figure is made of ``name``'s renditions, every one of them a stored file."""
    figure = lead_figure(html)
    urls = re.findall(r"(/media/[^\s\"]+)", figure)
    if not urls or not all(PurePath(name).stem in url for url in urls):
        return False
    assert all((settings.MEDIA_ROOT / url.removeprefix("/media/")).is_file() for url in urls), urls
    return True


def og_image(html):
    (url,) = re.findall(r'<meta property="og:image" content="([^"]+)">', html)
    return url


def publish_pending(client, brief):
    pending = pending_revision(brief)
    response = client.post(reverse("admin:briefs_brief_publish_pending", args=[brief.pk, pending.pk]))
    assert response.status_code == 302
    brief.refresh_from_db()


def test_a_new_picture_waits_in_the_pending_changes_until_it_is_published(client, editor, live_brief, settings):
    live_name = live_brief.lead_image.name
    assert shows_picture(public_page(live_brief), live_name, settings)  # now in the page cache too

    edit_brief(client, live_brief, lead_image=jpeg("port.jpg", colour=(20, 160, 60)), lead_image_alt=NEW_ALT)

    pending = pending_revision(live_brief)
    new_name = pending.data["lead_image"]
    assert PurePath(new_name).name.startswith("port-") and new_name != live_name
    assert (settings.MEDIA_ROOT / new_name).is_file()
    live_brief.refresh_from_db()
    assert (live_brief.lead_image.name, live_brief.lead_image_alt) == (live_name, LIVE_ALT)
    # Readers still see the live picture and its alt text.
    html = public_page(live_brief)
    assert shows_picture(html, live_name, settings)
    assert PurePath(new_name).stem not in html and NEW_ALT not in html
    # The preview of the pending changes shows the new one, renditions made.
    preview = client.get(reverse("admin:briefs_brief_revision_preview", args=[live_brief.pk, pending.pk]))
    preview_html = preview.content.decode()
    assert shows_picture(preview_html, new_name, settings)
    assert f'alt="{NEW_ALT}"' in lead_figure(preview_html)
    # The change page opens on the pending picture: "Currently" links to it, the alt text is its own.
    form = client.get(brief_change_url(live_brief)).content.decode()
    assert re.search(rf'Currently: <a href="/media/{re.escape(new_name)}">', form)
    assert f'value="{NEW_ALT}"' in form and f'value="{LIVE_ALT}"' not in form
    # The comparison names the change.
    compare = client.get(
        reverse("admin:briefs_brief_compare", args=[live_brief.pk]),
        {"a": live_revision(live_brief).pk, "b": pending.pk},
    ).content.decode()
    picture_field = compare[compare.index('id="field-lead_image"') :]
    picture_field = picture_field[: picture_field.index("</dd>")]
    assert "(unchanged)" not in picture_field
    # "Picture: tanker.jpg" became "Picture: port-<random>.jpg", word by word.
    assert f"Picture: <del>tanker</del><ins>{PurePath(new_name).stem}</ins>.jpg" in picture_field
    assert f"<ins>Alt text: {NEW_ALT}</ins>" in picture_field

    publish_pending(client, live_brief)

    assert (live_brief.lead_image.name, live_brief.lead_image_alt) == (new_name, NEW_ALT)
    assert (live_brief.lead_image_width, live_brief.lead_image_height) == (1600, 900)
    html = public_page(live_brief)
    assert shows_picture(html, new_name, settings)
    assert f'alt="{NEW_ALT}"' in lead_figure(html) and LIVE_ALT not in html
    assert PurePath(new_name).stem in og_image(html)  # the link preview follows


def test_editing_on_keeps_the_pending_picture_and_only_new_text(client, editor, live_brief, settings):
    edit_brief(client, live_brief, lead_image=jpeg("port.jpg"), lead_image_alt=NEW_ALT)
    new_name = pending_revision(live_brief).data["lead_image"]

    edit_brief(client, live_brief, title="Tankers and Cranes", lead_image_credit="AP/John Roe")

    data = pending_revision(live_brief).data
    assert (data["title"], data["lead_image"], data["lead_image_alt"]) == ("Tankers and Cranes", new_name, NEW_ALT)
    assert data["lead_image_credit"] == "AP/John Roe"
    assert shows_picture(public_page(live_brief), live_brief.lead_image.name, settings)


def test_discarding_the_pending_changes_keeps_the_live_picture(client, editor, live_brief, settings):
    live_name = live_brief.lead_image.name
    edit_brief(client, live_brief, lead_image=jpeg("port.jpg"), lead_image_alt=NEW_ALT)
    baseline = live_revision(live_brief)

    response = client.post(reverse("admin:briefs_brief_restore", args=[live_brief.pk, baseline.pk]))

    assert response.status_code == 302
    assert pending_revision(live_brief) is None
    live_brief.refresh_from_db()
    assert (live_brief.lead_image.name, live_brief.lead_image_alt) == (live_name, LIVE_ALT)
    assert shows_picture(public_page(live_brief), live_name, settings)
    form = client.get(brief_change_url(live_brief)).content.decode()
    assert re.search(rf'Currently: <a href="/media/{re.escape(live_name)}">', form)


def test_removing_the_picture_waits_too_then_the_brief_has_its_drawn_card(client, editor, live_brief, settings):
    live_name = live_brief.lead_image.name
    edit_brief(client, live_brief, **{"lead_image-clear": "on"})

    assert pending_revision(live_brief).data["lead_image"] == ""
    assert shows_picture(public_page(live_brief), live_name, settings)
    compare = client.get(
        reverse("admin:briefs_brief_compare", args=[live_brief.pk]),
        {"a": live_revision(live_brief).pk, "b": pending_revision(live_brief).pk},
    ).content.decode()
    assert "<ins>No picture</ins>" in compare

    publish_pending(client, live_brief)

    assert not live_brief.lead_image
    html = public_page(live_brief)
    assert lead_figure(html) == ""
    card = og_image(html)
    assert f"{live_brief.get_absolute_url()}card.png?v=" in card
    make_files(live_brief, parts=["card"])  # the worker draws it once the revision is live (#21)
    assert Client().get(card.removeprefix("http://localhost:8000")).status_code == 200


def test_a_revision_from_before_pictures_were_kept_leaves_the_picture_alone(client, editor, live_brief, settings):
    """Revisions saved before #13 have no picture keys: restoring and publishing one keeps the picture."""
    live_name = live_brief.lead_image.name
    edit_brief(client, live_brief, title="Older wording")
    old = pending_revision(live_brief)
    old.data = {key: value for key, value in old.data.items() if not key.startswith("lead_image")} | {"v": 1}
    old.save()

    publish_pending(client, live_brief)

    assert (live_brief.title, live_brief.lead_image.name, live_brief.lead_image_alt) == (
        "Older wording",
        live_name,
        LIVE_ALT,
    )
    assert shows_picture(public_page(live_brief), live_name, settings)


def test_a_pending_picture_needs_alt_text_too(client, editor, live_brief):
    page = client.get(brief_change_url(live_brief))
    response = client.post(brief_change_url(live_brief), change_form_data(page, lead_image=jpeg(), lead_image_alt=""))
    assert response.status_code == 200
    assert "lead_image_alt" in errors_of(response)
    assert pending_revision(live_brief) is None

    # Without a new upload, the pending picture (not the live one) is what needs the alt text.
    bare = BriefFactory(title="No picture yet")
    edit_brief(client, bare, lead_image=jpeg("port.jpg"), lead_image_alt=NEW_ALT)
    page = client.get(brief_change_url(bare))
    response = client.post(brief_change_url(bare), change_form_data(page, lead_image_alt=""))
    assert response.status_code == 200
    assert "lead_image_alt" in errors_of(response)
    assert pending_revision(bare).data["lead_image_alt"] == NEW_ALT
