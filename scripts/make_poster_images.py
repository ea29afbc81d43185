#!/usr/bin/env python3
"""Draw print-resolution versions of the starter events' cover pictures for their posters.

The web covers (scripts/make_covers.py) are 1200x675: on an A2 poster that is about 70 dpi,
far below the 150 dpi a print needs.  This script draws the same pictures with
make_covers.py's own drawing code at four times the size, 4800x2700 (enough for the 800 mm
wide picture of a roll-up banner at 150 dpi), into content/images/posters/.  Deterministic.

Usage: python scripts/make_poster_images.py [NAME ...]
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


def main(argv):
    make_covers.S = 4  # drawing units are 1200x675; 4 x -> 4800 x 2700 pixels
    make_covers.Canvas.save = save_full
    out = Path(__file__).resolve().parent.parent / "content" / "images" / "posters"
    out.mkdir(parents=True, exist_ok=True)
    for name in argv[1:] or EVENT_PICTURES:
        path = out / f"{name}.jpg"
        make_covers.PICTURES[name](path)
        print(f"{path}  {path.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main(sys.argv)
