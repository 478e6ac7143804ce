"""Social cards: the 1200x630 picture a link to a brief shows on social networks and in chats
(``og:image``), drawn with Pillow: the institute's name, the brief's type, title and date.

A brief's card is drawn once per version of what it shows, by the worker (briefs/brieffiles.py),
and kept in the default storage; its name carries a hash of that text (``fingerprint``), so the
page can name the card's URL without drawing or even looking for it.
"""

import hashlib
import io
import textwrap
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.dateformat import format as date_format
from PIL import Image, ImageDraw, ImageFont

CARD_DIR = "cards"
SIZE = (1200, 630)
INK, PAPER, ACCENT, MUTED = (28, 31, 35), (244, 241, 234), (11, 79, 138), (77, 85, 96)
# Debian's DejaVu fonts (fonts-dejavu-core, installed with fontconfig almost everywhere; `make
# tools` installs them); Pillow's own scalable font otherwise, so a card is always drawn.
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")


def font(size, bold=False):
    path = FONT_DIR / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")
    if path.exists():
        return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size)


def card_lines(brief):
    """What the card shows: the institute, type, title and date (the card's version)."""
    published = date_format(timezone.localtime(brief.published_at), "F j, Y")
    return [settings.SITE_NAME, brief.type.name, brief.title, published]


def fingerprint(brief):
    """A digest of what the card shows: its version, named in the card's URL (``?v=``)."""
    return hashlib.sha256("\n".join(card_lines(brief)).encode()).hexdigest()[:16]


def card_name(brief, digest=None):
    return f"{CARD_DIR}/{brief.pk}/{digest or fingerprint(brief)}.png"


def fit_title(title):
    """(font size, lines): the largest size at which the title fits in four lines, cut with an
    ellipsis at the smallest size when even that is too long."""
    for size, width in ((64, 30), (54, 36), (46, 42)):
        lines = textwrap.wrap(title, width=width)
        if len(lines) <= 4:
            return size, lines
    return size, [*lines[:3], lines[3].rstrip(" .,;:") + "…"]


def draw_card(site_name, kicker, title, footer):
    image = Image.new("RGB", SIZE, PAPER)
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 0, SIZE[0], 18], fill=ACCENT)
    draw.text((72, 70), site_name.upper(), font=font(40, bold=True), fill=INK)
    draw.text((72, 150), kicker.upper(), font=font(30, bold=True), fill=ACCENT)
    size, lines = fit_title(title)
    title_font = font(size, bold=True)
    y = 210
    for line in lines:
        draw.text((72, y), line, font=title_font, fill=INK)
        y += int(size * 1.2)
    draw.line([72, 540, SIZE[0] - 72, 540], fill=MUTED, width=2)
    draw.text((72, 558), footer, font=font(28), fill=MUTED)
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


def brief_card(brief):
    """The card's PNG bytes for ``brief``."""
    return draw_card(*card_lines(brief))


def site_card():
    """The card for pages that are not a brief: the institute's name and what it publishes."""
    tagline = "Briefs and expert analysis"
    name = f"{CARD_DIR}/site/{hashlib.sha256((settings.SITE_NAME + tagline).encode()).hexdigest()[:16]}.png"
    if not default_storage.exists(name):
        content = draw_card(settings.SITE_NAME, "Policy institute", tagline, settings.SITE_URL)
        if not default_storage.exists(name):
            default_storage.save(name, ContentFile(content))
    return name
