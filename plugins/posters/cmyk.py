"""CMYK separation for print shops: the colour layer through an ICC profile, black as K only.

A plain ``Image.convert("CMYK")`` in Pillow is a naive formula (C = 255 - R, ..., K = 0): black
text becomes C = M = Y = 100 %, K = 0 - 300 % ink that no press wants, with no black plate at
all.  Here the colour layer (pictures, colour bands, coloured text) goes through a real
colour transform with LittleCMS (Pillow's ``ImageCms``), sRGB -> the output profile, and the
black layer (black text, QR modules) is laid on afterwards as C = M = Y = 0, K = 100 %
(knocked out of the colours below), as press guidelines ask for small black text.

Rendering intent: relative colorimetric by default (in-gamut colours kept exactly, paper white
mapped to paper white), perceptual as the alternative for photos with strong colours
(``POSTERS_CMYK_INTENT``).  The default profile is Ghostscript's "Artifex CMYK SWOP Profile"
(Debian package libgs-common); set ``POSTERS_CMYK_PROFILE`` to the print shop's profile
(e.g. FOGRA39 / ISO Coated v2, Japan Color 2001 Coated) when they give one.
"""

from __future__ import annotations

from pathlib import Path

DEFAULT_PROFILE = "/usr/share/color/icc/ghostscript/default_cmyk.icc"
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


def profile_name(path: str | Path) -> str:
    """The profile's description (e.g. ``Artifex CMYK SWOP Profile``)."""
    from PIL import ImageCms

    return ImageCms.getProfileDescription(load_profile(path)).strip()


def separate(colour, black, marks: list[tuple[int, int, int, int]], profile_path: str | Path, intent: str = "relative"):
    """The CMYK print image: ``colour`` (RGB, sRGB) converted through ``profile_path`` with
    ``intent``; where ``black`` (an "L" coverage mask) is set, C = M = Y = 0 and K = 255 (edges
    blended by coverage); ``marks`` (raster rectangles) in registration colour (all four inks).
    Raises :class:`ProfileError`."""
    from PIL import ImageCms, ImageDraw

    target = load_profile(profile_path)
    srgb = ImageCms.createProfile("sRGB")
    transform = ImageCms.buildTransform(srgb, target, "RGB", "CMYK", renderingIntent=INTENTS[intent])
    out = ImageCms.applyTransform(colour, transform)
    out.paste((0, 0, 0, 255), (0, 0) + out.size, black)
    draw = ImageDraw.Draw(out)
    for x0, y0, x1, y1 in marks:
        draw.rectangle((x0, y0, x1 - 1, y1 - 1), fill=(255, 255, 255, 255))
    return out
