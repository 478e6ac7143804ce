"""Pictures for the demo content (#13), drawn with Pillow so the demo needs no downloads: an
abstract landscape per picture (sky, sea or land, a horizon and a few shapes), in colours seeded by
its name. Featured issues and a few briefs get one, so `make run` shows pictures, renditions,
captions and the home page's lead story."""

import hashlib
import io

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

PALETTES = [
    ((31, 52, 77), (92, 126, 158), (200, 169, 110)),
    ((54, 40, 33), (160, 112, 72), (226, 196, 150)),
    ((22, 58, 56), (70, 128, 118), (214, 214, 190)),
    ((40, 36, 66), (112, 96, 150), (236, 200, 170)),
]


def landscape(seed, size=(1200, 675)):
    """JPEG bytes of an abstract landscape, the same for the same seed."""
    from PIL import Image, ImageDraw

    digest = hashlib.sha256(seed.encode()).digest()
    deep, mid, light = PALETTES[digest[0] % len(PALETTES)]
    width, height = size
    image = Image.new("RGB", size, deep)
    draw = ImageDraw.Draw(image)
    for y in range(height // 2):  # a sky fading from light to mid
        t = y / (height / 2)
        draw.line([(0, y), (width, y)], fill=tuple(int(light[i] * (1 - t) + mid[i] * t) for i in range(3)))
    horizon = height // 2 + digest[1] % (height // 6)
    draw.rectangle([0, horizon, width, height], fill=deep)
    for i in range(5):  # hills or ships on the horizon
        x = (digest[2 + i] * width) // 256
        w, h = 80 + digest[7 + i] * 2, 20 + digest[12 + i] // 2
        draw.polygon([(x - w, horizon), (x, horizon - h), (x + w, horizon)], fill=mid)
    sun_x, sun_y = (digest[20] * width) // 256, height // 6 + digest[21] % (height // 6)
    draw.ellipse([sun_x - 60, sun_y - 60, sun_x + 60, sun_y + 60], fill=light)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


def demo_picture(folder, slug):
    """The stored name of ``slug``'s demo picture, drawn only if the file is missing."""
    name = f"{folder}/demo-{slug}.jpg"
    if not default_storage.exists(name):
        default_storage.save(name, ContentFile(landscape(slug)))
    return name


def sync_picture(obj, field, folder, *, alt, **text):
    """Give ``obj`` its demo picture and text; saves (and so makes renditions) only on a change."""
    name = demo_picture(folder, obj.slug)
    values = {f"{field}_alt": alt, **text}
    if getattr(obj, field).name == name and all(getattr(obj, key) == value for key, value in values.items()):
        return False
    setattr(obj, field, name)
    for key, value in values.items():
        setattr(obj, key, value)
    obj.save()
    return True
