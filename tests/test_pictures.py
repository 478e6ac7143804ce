"""Pictures (#13): renditions made once per image when it is saved (never while a page renders),
WebP with a JPEG fallback in several widths, sizes reserved, alt text required, initials without a photo."""

import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from imagekit.cachefiles import ImageCacheFile
from PIL import Image

from briefs.models import Brief
from tests.factories import BriefFactory, BriefTypeFactory, ExpertFactory, IssueFactory
from tests.site_data import text
from tests.test_queries import PINS

pytestmark = pytest.mark.django_db


def jpeg(name="photo.jpg", size=(1600, 900), colour=(40, 90, 160)):
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def renditions(settings):
    root = settings.MEDIA_ROOT / "renditions"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.fixture
def generated(monkeypatch):
    """Every rendition imagekit makes (the real work still happens)."""
    made = []
    real = ImageCacheFile.generate

    def generate(self, force=False):
        made.append(self.name)
        return real(self, force=force)

    monkeypatch.setattr(ImageCacheFile, "generate", generate)
    return made


def picture_brief(**kwargs):
    return BriefFactory(
        title="Tankers in the Strait",
        lead_image=jpeg(),
        lead_image_alt="A tanker escorted by two patrol boats",
        lead_image_caption="The Strait of Hormuz in April.",
        lead_image_credit="Reuters/Jane Doe",
        **kwargs,
    )


def test_lead_image_renditions_are_made_once_when_saved_and_never_by_a_page(client, settings, generated):
    brief = picture_brief()
    files = renditions(settings)
    # 480, 800 and 1200 wide, WebP and JPEG, from a 1600 x 900 original.
    sizes = sorted(Image.open(path).size for path in files)
    assert sizes == sorted([(480, 270), (800, 450), (1200, 675)] * 2)
    assert {path.suffix for path in files} == {".webp", ".jpg"}
    made = len(generated)
    assert made == 6

    for _ in range(2):
        html = text(client.get(brief.get_absolute_url()))
    assert len(generated) == made and renditions(settings) == files  # pages make none

    figure = html[html.index('<figure class="lead-figure">') :]
    figure = figure[: figure.index("</figure>")]
    (source,) = re.findall(r'<source type="image/webp" srcset="([^"]+)" sizes="([^"]+)">', figure)
    assert [part.rsplit(" ", 1)[1] for part in source[0].split(", ")] == ["480w", "800w", "1200w"]
    assert all(part.split(" ")[0].endswith(".webp") for part in source[0].split(", "))
    (img,) = re.findall(r"<img [^>]+>", figure)
    assert 'width="1200" height="675"' in img
    assert 'alt="A tanker escorted by two patrol boats"' in img
    assert "loading=" not in img  # the lead picture is above the fold
    assert re.search(r'srcset="[^"]+\.jpg 480w, [^"]+\.jpg 800w, [^"]+\.jpg 1200w"', img)
    assert "The Strait of Hormuz in April." in figure and '<span class="credit">Reuters/Jane Doe</span>' in figure
    for url in re.findall(r"(/media/[^\s\"]+)", figure):
        assert (settings.MEDIA_ROOT / url.removeprefix("/media/")).is_file(), url
    (og_image,) = re.findall(r'<meta property="og:image" content="([^"]+)">', html)
    assert og_image.startswith("http://localhost:8000/media/renditions/") and og_image.endswith(".jpg")


def test_a_picture_needs_alt_text(settings):
    brief = BriefFactory.build(type=BriefTypeFactory(), lead_image=jpeg(), lead_image_alt=" ")
    with pytest.raises(ValidationError) as error:
        brief.full_clean()
    assert "lead_image_alt" in error.value.message_dict
    brief = BriefFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Brief.objects.filter(pk=brief.pk).update(lead_image="briefs/lead/x.jpg", lead_image_alt="")
    issue = IssueFactory.build(name="Gaza", slug="gaza", image=jpeg(), image_alt="")
    with pytest.raises(ValidationError):
        issue.full_clean()


def test_home_leads_with_the_newest_brief_with_a_picture_without_listing_it_twice(client):
    analysis = BriefTypeFactory(name="Analysis")
    BriefFactory(title="Newest flash", type=BriefTypeFactory(name="Flash Brief"))
    newest_analysis = BriefFactory(title="Newest analysis", type=analysis)
    with_picture = picture_brief(type=analysis)
    with_picture.published_at = newest_analysis.published_at.replace(year=2025)
    with_picture.save()
    html = text(client.get("/"))
    lead = html[html.index('<article class="lead-story has-picture">') : html.index('id="latest"')]
    assert "Tankers in the Strait" in lead and "<picture>" in lead and 'loading="lazy"' not in lead
    assert html.count(">Tankers in the Strait</a>") == 1
    assert html.count(">Newest flash</a>") == 1  # in the Flash Briefs column only
    assert html.index("Newest analysis") > html.index('id="latest"')


def test_home_leads_with_the_newest_analysis_when_no_brief_has_a_picture(client):
    BriefFactory(title="Newest flash", type=BriefTypeFactory(name="Flash Brief"))
    BriefFactory(title="An analysis", type=BriefTypeFactory(name="Analysis"))
    html = text(client.get("/"))
    lead = html[html.index('<article class="lead-story">') : html.index('id="latest"')]
    assert "An analysis" in lead and "<picture>" not in lead


def test_featured_issues_show_their_picture_lazily_and_description(client, settings):
    IssueFactory(name="Gaza", slug="gaza", featured=True, description="<p>The war and its region.</p>",
                 image=jpeg(size=(1000, 500)), image_alt="Rubble in Gaza City")  # fmt: skip
    html = text(client.get("/"))
    card = html[html.index('class="issue-card"') :]
    card = card[: card.index("</li>")]
    assert 'alt="Rubble in Gaza City"' in card and 'loading="lazy"' in card and 'width="800" height="400"' in card
    assert "The war and its region." in card
    issue_page = text(client.get("/issues/gaza/"))
    assert 'alt="Rubble in Gaza City"' in issue_page


def test_expert_photos_are_square_renditions_and_others_get_initials(client, settings):
    with_photo = ExpertFactory(name="Jane Doe", slug="jane-doe", photo=jpeg(size=(600, 800)), program="A")
    ExpertFactory(name="Bradley Bowman", slug="bradley-bowman", program="B")
    ExpertFactory(name="Mary-Kate O'Hara", slug="mk", program="B")
    profile = text(client.get(with_photo.get_absolute_url()))
    (img,) = re.findall(r'<img [^>]*class="portrait"[^>]*>', profile)
    assert 'alt="Portrait of Jane Doe"' in img and 'width="320" height="320"' in img
    assert re.search(r'srcset="[^"]+ 96w, [^"]+ 192w, [^"]+ 320w"', img)
    sizes = {Image.open(path).size for path in renditions(settings) if "experts" in str(path)}
    assert sizes == {(96, 96), (192, 192), (320, 320)}

    badge = text(client.get("/experts/bradley-bowman/"))
    assert (
        '<span class="initials portrait" aria-hidden="true">BB</span>' in badge
        and "<img" not in badge.split("<main")[1]
    )
    listing = text(client.get("/experts/"))
    assert '<span class="initials" aria-hidden="true">BB</span>' in listing
    assert '<span class="initials" aria-hidden="true">MO</span>' in listing
    (listed,) = re.findall(r"<img [^>]+>", listing)
    assert 'alt=""' in listed and "loading=" not in listed  # first program: above the fold; the name says who


@pytest.mark.parametrize("count", [1, 30])
def test_pictures_add_no_query_per_card(client, django_assert_max_num_queries, settings, count):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    analysis = BriefTypeFactory(name="Analysis")
    for i in range(count):
        BriefFactory(type=analysis, lead_image=jpeg(size=(500, 300)), lead_image_alt=f"Picture {i}")
        IssueFactory(name=f"Featured {i}", featured=True, image=jpeg(size=(500, 300)), image_alt=f"Issue {i}")
        ExpertFactory(photo=jpeg(size=(200, 200)))
    # The pages' own pins on a first render (tests/test_queries.py PINS).
    for url, pin in (
        ("/", PINS["home"][1]),
        ("/experts/", PINS["expert index"][1]),
        ("/briefs/", PINS["all briefs"][1]),
    ):
        with django_assert_max_num_queries(pin):
            assert client.get(url).status_code == 200
