"""CMYK separation for print shops: the colour layer through an ICC profile, black as K only.

A plain ``Image.convert("CMYK")`` in Pillow is a naive formula (C = 255 - R, ..., K = 0): black
text becomes C = M = Y = 100 %, K = 0 - 300 % ink that no press wants, with no black plate at
all.  Here pictures and colours (colour bands, coloured text) go through a real colour
transform with LittleCMS (Pillow's ``ImageCms``), sRGB -> the output profile (:func:`picture`,
:func:`colour`), and black (black text, QR modules) is C = M = Y = 0, K = 100 % (knocking out
the colours below), as press guidelines ask for small black text.  Large black areas may be
printed in *rich black* instead (``POSTERS_RICH_BLACK``, C50 M50 Y50 K100 for large-format
inkjet: pure K looks grey over a large area); :mod:`.pdf` decides which items are large.

Rendering intent: relative colorimetric by default (in-gamut colours kept exactly, paper white
mapped to paper white), perceptual as the alternative for photos with strong colours
(``POSTERS_CMYK_INTENT``).  The default profile is Ghostscript's "Artifex CMYK SWOP Profile"
(Debian package libgs-common); set ``POSTERS_CMYK_PROFILE`` to the print shop's profile
(e.g. FOGRA39 / ISO Coated v2, Japan Color 2001 Coated) when they give one.
"""

from __future__ import annotations

import functools
from pathlib import Path

DEFAULT_PROFILE = "/usr/share/color/icc/ghostscript/default_cmyk.icc"
RICH_BLACK = (50, 50, 50, 100)  # C M Y K %, the usual rich black of large-format printers
INTENTS = {"relative": 1, "perceptual": 0}  # ICC rendering intents (ImageCms.Intent values)


class ProfileError(Exception):
    """The CMYK output profile cannot be used (missing, unreadable, not a CMYK profile)."""


def load_profile(path: str | Path):
    """Open the ICC profile at ``path`` and check that it is a CMYK output profile.

    Returns an ``ImageCms.ImageCmsProfile``; raises :class:`ProfileError` saying how to fix it."""
    from PIL import ImageCms

    try:
        profile = ImageCms.getOpenProfile(str(path))
    except (OSError, ImageCms.PyCMSError) as exc:
        raise ProfileError(f"POSTERS_CMYK_PROFILE: cannot open the ICC profile {path} ({exc}); install it "
                           f"(Debian: apt-get install libgs-common) or set the print shop's CMYK profile") from None
    if profile.profile.xcolor_space.strip() != "CMYK":
        raise ProfileError(f"POSTERS_CMYK_PROFILE: {path} is a {profile.profile.xcolor_space.strip()} profile, "
                           f"not CMYK; set a CMYK output profile such as FOGRA39 or SWOP")
    return profile


@functools.lru_cache(maxsize=8)
def profile_name(path: str | Path) -> str:
    """The profile's description (e.g. ``Artifex CMYK SWOP Profile``)."""
    from PIL import ImageCms

    return ImageCms.getProfileDescription(load_profile(path)).strip()


@functools.lru_cache(maxsize=8)
def _transform(profile_path: str, intent: str):
    from PIL import ImageCms

    target = load_profile(profile_path)
    return ImageCms.buildTransform(ImageCms.createProfile("sRGB"), target, "RGB", "CMYK",
                                   renderingIntent=INTENTS[intent])


@functools.lru_cache(maxsize=256)
def colour(value: str, profile_path: str, intent: str = "relative") -> tuple[float, float, float, float]:
    """The CMYK ink values (0..1) of the sRGB colour ``value`` (#rrggbb) through the output
    profile: white is no ink at all (0, 0, 0, 0), black is pure K (0, 0, 0, 1: black text and
    QR modules print on one plate, no registration problem); every other colour goes through
    the profile with ``intent``.  Raises :class:`ProfileError`."""
    from PIL import Image, ImageCms

    value = value.lower()
    if value == "#ffffff":
        return 0.0, 0.0, 0.0, 0.0
    if value == "#000000":
        return 0.0, 0.0, 0.0, 1.0
    rgb = int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16)
    px = ImageCms.applyTransform(Image.new("RGB", (1, 1), rgb), _transform(str(profile_path), intent)).getpixel((0, 0))
    return tuple(round(v / 255, 4) for v in px)


def picture(image, profile_path: str | Path, intent: str = "relative"):
    """An RGB (sRGB) picture converted to CMYK through the output profile with ``intent``."""
    from PIL import ImageCms

    return ImageCms.applyTransform(image, _transform(str(profile_path), intent))
