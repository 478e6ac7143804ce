"""Responsive renditions of the site's pictures (brief lead images, issue images, expert photos).

django-imagekit makes them: each rendition is an ``ImageSpecField`` on the model, made with Pillow
when the image is saved (the Optimistic cache-file strategy in settings) and stored beside it, so a
page only builds URLs and never touches storage, the cache or Pillow. Chosen over easy-thumbnails
and sorl-thumbnail because its renditions are declared on the model (one place says which widths and
formats exist), made at upload rather than on a page view, and need no database table of their own:
sorl-thumbnail keeps a key-value store and makes thumbnails from templates on first view;
easy-thumbnails records every thumbnail in the database and is configured by alias strings.

Every picture comes as WebP (small) with a JPEG fallback, in a few widths, with its intrinsic width
and height known so the page reserves the space (no layout shift).
"""

from dataclasses import dataclass, field

from imagekit.models import ImageSpecField
from pilkit.processors import ResizeToFill, ResizeToFit

FORMATS = {"WEBP": "image/webp", "JPEG": "image/jpeg"}
QUALITY = {"WEBP": 78, "JPEG": 82}


def add_renditions(model, source, widths, *, square=False):
    """Declare ``<source>_<width>_<webp|jpeg>`` renditions on ``model`` (call after the class)."""
    for width in widths:
        for fmt in FORMATS:
            processor = ResizeToFill(width, width) if square else ResizeToFit(width=width, upscale=False)
            spec = ImageSpecField(source=source, processors=[processor], format=fmt, options={"quality": QUALITY[fmt]})
            model.add_to_class(f"{source}_{width}_{fmt.lower()}", spec)
    model._rendition_widths = {**getattr(model, "_rendition_widths", {}), source: (tuple(widths), square)}


def make_renditions(instance, source):
    """Make every rendition of ``instance.<source>`` now (those already made are kept).

    For a picture stored without saving its model (a live brief's pending picture, shown in the
    preview until it is published); saving the model makes them otherwise.
    """
    if not getattr(instance, source):
        return
    widths, _square = type(instance)._rendition_widths[source]
    for width in widths:
        for fmt in FORMATS:
            getattr(instance, f"{source}_{width}_{fmt.lower()}").generate()


@dataclass
class Picture:
    """What an ``<img>`` (in a ``<picture>``) needs: sources, fallback, intrinsic size, text."""

    src: str
    width: int
    height: int
    alt: str
    sources: list = field(default_factory=list)  # [(mime type, srcset)]
    srcset: str = ""
    caption: str = ""
    credit: str = ""


def picture(instance, source, *, alt, caption="", credit="", width=None, height=None):
    """The ``Picture`` of ``instance.<source>`` from its renditions, or None when there is no image.

    ``width``/``height`` are the original's (stored by the ImageField); a rendition of ``w`` pixels
    is ``w`` by ``w * height / width`` (never upscaled), or square for square renditions.
    """
    image = getattr(instance, source)
    if not image:
        return None
    key = (type(instance)._meta.label, source, image.name, width, height, getattr(image.storage, "base_url", ""))
    layout = _layouts.get(key)
    if layout is None:
        if len(_layouts) >= LAYOUTS_KEPT:
            _layouts.clear()
        layout = _layouts[key] = _layout(instance, source, width, height)
    src, shown_width, shown_height, sources, srcset = layout
    return Picture(src, shown_width, shown_height, alt, list(sources), srcset, caption, credit)


# A rendition's URL follows from the source's stored name and the spec alone (imagekit's namer;
# the Optimistic strategy never looks at storage; media are public, never signed URLs), and a new
# upload gets a new name: the URLs of a name are worked out once per process. Building them costs
# 0.1 ms a picture (imagekit hashes the spec per URL): a fifth of an uncached home page.
_layouts = {}
LAYOUTS_KEPT = 4096


def _layout(instance, source, width, height):
    widths, square = type(instance)._rendition_widths[source]
    original_w, original_h = width or 0, height or 0
    sizes = []
    for w in widths:
        if square:
            sizes.append((w, w, w))
        else:
            actual = min(w, original_w) if original_w else w
            sizes.append((w, actual, round(actual * original_h / original_w) if original_w else actual))
    # Widths above the original's are the same file size as the original: list each once.
    seen, unique = set(), []
    for spec_w, actual_w, actual_h in sizes:
        if actual_w not in seen:
            seen.add(actual_w)
            unique.append((spec_w, actual_w, actual_h))

    def srcset(fmt):
        return ", ".join(f"{getattr(instance, f'{source}_{w}_{fmt}').url} {actual}w" for w, actual, _h in unique)

    largest = unique[-1]
    src = getattr(instance, f"{source}_{largest[0]}_jpeg").url
    return src, largest[1], largest[2], (("image/webp", srcset("webp")),), srcset("jpeg")
