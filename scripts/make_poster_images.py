#!/usr/bin/env python3
"""Draw print-resolution versions of the starter events' cover pictures for their posters.

The web covers (scripts/make_covers.py) are 1200x675: on an A2 poster that is about 70 dpi,
far below the 150 dpi a print needs.  This script draws the same pictures with
make_covers.py's own drawing code at four times the size, 4800x2700 (enough for the 800 mm
wide picture of a roll-up banner at 150 dpi), into content/images/posters/.  Deterministic.

It also draws the posters' emblem, themes/jindallae/posters/logo.png (the site emblem of
themes/jindallae/static/img/emblem.svg redrawn at 1200 x 1200 px with Pillow, transparent
outside its disc): the templates' logo box shows it unless POSTERS_LOGO names another.

Usage: python scripts/make_poster_images.py [NAME ... | logo]
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_covers  # noqa: E402

EVENT_PICTURES = ("changbaishan", "elderly-day", "errenzhuan-stage", "forum-hall", "pear-blossom",
                  "platform-network", "festival-lanterns")


def save_full(self, path):
    """Canvas.save without the final reduction to 1200x675: keep the drawn size."""
    self.img.save(path, "JPEG", quality=84, optimize=True, progressive=True)


def draw_logo(path: Path, size: int = 1200) -> None:
    """The site emblem (emblem.svg: a white ring, a navy disc edged in gold, blue hills and a
    pink azalea) at ``size`` px, drawn on a 64-unit grid like the SVG."""
    import math

    from PIL import Image, ImageDraw

    k = size / 64
    im = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    d = ImageDraw.Draw(im)
    d.ellipse((k * 1, k * 1, k * 63, k * 63), fill="#ffffff")
    d.ellipse((k * 4.5, k * 4.5, k * 59.5, k * 59.5), fill="#14305a", outline="#d9a520", width=round(2 * k))
    hills = Image.new("L", (size, size), 0)
    ImageDraw.Draw(hills).polygon([(k * x, k * y) for x, y in ((9, 44), (20, 32), (26, 38), (34, 27), (43, 37),
                                                                  (48, 32), (55, 44), (55, 64), (9, 64))], fill=255)
    disc = Image.new("L", (size, size), 0)
    ImageDraw.Draw(disc).ellipse((k * 6.6, k * 6.6, k * 57.4, k * 57.4), fill=255)
    from PIL import ImageChops

    im.paste("#2d5a94", (0, 0), ImageChops.multiply(hills, disc))
    petals = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    for i in range(5):
        petal = Image.new("L", (size, size), 0)
        ImageDraw.Draw(petal).ellipse((k * 22, k * 2, k * 42, k * 30), fill=255)
        petal = petal.rotate(-72 * i, center=(k * 32, k * 32), resample=Image.BICUBIC)
        petals.paste("#f07aaf", (0, 0), petal)
    petals = petals.resize((round(size * 0.42),) * 2, Image.LANCZOS)
    offset = round(k * 32 - petals.width / 2), round(k * 24 - petals.height / 2)
    im.alpha_composite(petals, offset)
    r = k * 2.2
    d.ellipse((k * 32 - r, k * 24 - r, k * 32 + r, k * 24 + r), fill="#fff2a8")
    del math
    im.save(path, "PNG", optimize=True)


def main(argv):
    make_covers.S = 4  # drawing units are 1200x675; 4 x -> 4800 x 2700 pixels
    make_covers.Canvas.save = save_full
    root = Path(__file__).resolve().parent.parent
    if argv[1:] in ([], ["logo"]):
        logo = root / "themes" / "jindallae" / "posters" / "logo.png"
        draw_logo(logo)
        print(f"{logo}  {logo.stat().st_size // 1024} KB")
        if argv[1:] == ["logo"]:
            return
    out = root / "content" / "images" / "posters"
    out.mkdir(parents=True, exist_ok=True)
    for name in argv[1:] or EVENT_PICTURES:
        path = out / f"{name}.jpg"
        make_covers.PICTURES[name](path)
        print(f"{path}  {path.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main(sys.argv)
