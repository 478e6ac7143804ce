"""Expert photos: images only, within size and pixel limits, stored re-encoded without metadata
and with the extension (so the content type) of what they really are."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image, PngImagePlugin

from experts.models import Expert
from tests.admin_forms import change_form_data
from tests.factories import ExpertFactory, SuperUserFactory
from tests.test_admin import errors_of

pytestmark = pytest.mark.django_db

GPS_IFD = 0x8825
ARTIST = 0x013B


def jpeg_with_exif(size=(64, 48), color=(200, 30, 30)):
    image = Image.new("RGB", size, color)
    exif = Image.Exif()
    exif[ARTIST] = "Jane Photographer, home: 12 Secret Lane"
    exif[0x0112] = 6  # orientation: rotate 90° clockwise to display
    exif.get_ifd(GPS_IFD)[2] = (38.0, 53.0, 55.0)  # GPS latitude
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes(), comment=b"taken at the safe house")
    return out.getvalue() + b"<script>alert(1)</script>"  # bytes hidden after the image


def png_with_text(mode="RGBA"):
    image = Image.new(mode, (40, 40), (0, 0, 255, 128) if mode == "RGBA" else (0, 0, 255))
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "someone's private name")
    out = io.BytesIO()
    image.save(out, format="PNG", pnginfo=info)
    return out.getvalue()


@pytest.fixture
def editor():
    client = Client()
    client.force_login(SuperUserFactory())
    return client


def upload(client, expert, name, content, content_type="image/jpeg"):
    url = reverse("admin:experts_expert_change", args=[expert.pk])
    data = change_form_data(client.get(url))
    data["photo"] = SimpleUploadedFile(name, content, content_type=content_type)
    return client.post(url, data)


def stored(expert):
    expert.refresh_from_db()
    with expert.photo.open("rb") as file:
        return file.read()


def test_a_photo_is_stored_re_encoded_without_metadata(editor):
    expert = ExpertFactory()
    response = upload(editor, expert, "portrait.jpeg", jpeg_with_exif())
    assert response.status_code == 302, errors_of(response)
    data = stored(expert)
    assert expert.photo.name.endswith(".jpg")
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG"
    assert not image.getexif() and "exif" not in image.info and "comment" not in image.info
    assert b"Secret Lane" not in data and b"safe house" not in data and b"<script>" not in data
    # The camera's rotation is applied to the pixels before its EXIF goes.
    assert image.size == (48, 64)


def test_a_png_with_transparency_stays_a_png_without_its_text(editor):
    expert = ExpertFactory()
    assert upload(editor, expert, "logo.png", png_with_text(), "image/png").status_code == 302
    data = stored(expert)
    image = Image.open(io.BytesIO(data))
    assert (image.format, image.mode) == ("PNG", "RGBA")
    assert expert.photo.name.endswith(".png")
    assert b"private name" not in data and "Author" not in image.info


def test_the_extension_follows_the_content_not_the_name(editor):
    expert = ExpertFactory()
    assert upload(editor, expert, "page.html", png_with_text("RGB"), "text/html").status_code == 302
    expert.refresh_from_db()
    assert expert.photo.name.endswith(".jpg")
    assert Image.open(io.BytesIO(stored(expert))).format == "JPEG"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("photo.jpg", b"<html><script>alert(1)</script></html>"),
        ("photo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("photo.jpg", jpeg_with_exif()[:200]),  # truncated
    ],
    ids=["html", "svg", "truncated"],
)
def test_anything_but_an_image_is_a_form_error(editor, name, content):
    expert = ExpertFactory()
    response = upload(editor, expert, name, content)
    assert response.status_code == 200
    assert "Upload a valid image" in str(response.context["adminform"].form.errors["photo"])
    expert.refresh_from_db()
    assert not expert.photo


def test_a_photo_too_large_is_a_form_error(editor, settings):
    settings.PHOTO_MAX_BYTES = 1000
    expert = ExpertFactory()
    response = upload(editor, expert, "big.jpg", jpeg_with_exif(size=(400, 400)))
    assert response.status_code == 200
    assert "at most 1000\xa0bytes is accepted" in str(response.context["adminform"].form.errors["photo"])
    assert not Expert.objects.get(pk=expert.pk).photo


def test_a_photo_with_too_many_pixels_is_a_form_error(editor, settings):
    settings.PHOTO_MAX_PIXELS = 100 * 100
    expert = ExpertFactory()
    image = Image.new("L", (2000, 1500))
    out = io.BytesIO()
    image.save(out, format="PNG")
    response = upload(editor, expert, "wide.png", out.getvalue(), "image/png")
    assert response.status_code == 200
    assert "2000 × 1500 pixels" in str(response.context["adminform"].form.errors["photo"])
    assert not Expert.objects.get(pk=expert.pk).photo
