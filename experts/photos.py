"""Expert photos as uploaded by editors: checked, then re-encoded before anything is stored.

An upload must be an image Pillow can read, no larger than ``PHOTO_MAX_BYTES`` and
``PHOTO_MAX_PIXELS``. What is stored is a fresh JPEG (or PNG when the picture has transparency)
drawn from the decoded pixels: EXIF (a camera's GPS position, the owner's name), comments and any
bytes hidden after the image are gone, and the file's extension always matches its content, so it
is served with the right content type whatever the uploaded file was called.
"""

import io
from pathlib import Path

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.defaultfilters import filesizeformat
from PIL import Image, ImageOps

# Formats a browser or camera produces for a portrait; anything else (SVG is not even a bitmap) is refused.
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}
JPEG_QUALITY = 88


def reencode(image):
    """``(bytes, extension)``: ``image`` (an opened PIL image) drawn anew without metadata."""
    image.seek(0)  # an animated GIF keeps its first frame
    image = ImageOps.exif_transpose(image)  # the camera's rotation, applied before its EXIF goes
    has_alpha = image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info)
    out = io.BytesIO()
    if has_alpha:
        clean = Image.new("RGBA", image.size)
        clean.paste(image.convert("RGBA"))
        clean.save(out, format="PNG", optimize=True)
        return out.getvalue(), "png"
    clean = Image.new("RGB", image.size)
    clean.paste(image.convert("RGB"))
    clean.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return out.getvalue(), "jpg"


class PhotoField(forms.ImageField):
    """The expert form's photo: an image within the limits, re-encoded on the way in."""

    default_error_messages = {
        "too_large": "The photo is %(size)s; at most %(limit)s is accepted. Save it smaller and upload it again.",
        "too_many_pixels": "The photo is %(width)s × %(height)s pixels; at most %(limit)s million pixels are "
        "accepted. Scale it down and upload it again.",
        "format": "The photo is a %(format)s file; upload a JPEG, PNG, WebP or GIF image.",
    }

    def to_python(self, data):
        if data in self.empty_values:
            return None
        if data.size > settings.PHOTO_MAX_BYTES:
            raise forms.ValidationError(
                self.error_messages["too_large"],
                code="too_large",
                params={"size": filesizeformat(data.size), "limit": filesizeformat(settings.PHOTO_MAX_BYTES)},
            )
        checked = super().to_python(data)  # Django's check: Pillow can open and verify it
        width, height = checked.image.size
        if width * height > settings.PHOTO_MAX_PIXELS:
            raise forms.ValidationError(
                self.error_messages["too_many_pixels"],
                code="too_many_pixels",
                params={"width": width, "height": height, "limit": round(settings.PHOTO_MAX_PIXELS / 1e6, 1)},
            )
        if checked.image.format not in ACCEPTED_FORMATS:
            raise forms.ValidationError(
                self.error_messages["format"], code="format", params={"format": checked.image.format}
            )
        checked.seek(0)
        try:
            with Image.open(checked) as image:  # verify() leaves the image unusable: open it again
                content, extension = reencode(image)
        except (OSError, ValueError, Image.DecompressionBombError) as error:
            raise forms.ValidationError(self.error_messages["invalid_image"], code="invalid_image") from error
        name = f"{Path(checked.name).stem or 'photo'}.{extension}"
        return SimpleUploadedFile(name, content, content_type=Image.MIME["PNG" if extension == "png" else "JPEG"])
