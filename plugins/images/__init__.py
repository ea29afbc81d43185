"""images: responsive covers and body images.

Every JPEG or PNG under ``images/`` that a page uses (its ``cover`` or an image in its body) is
resized with Pillow to the ``IMAGES_WIDTHS`` narrower than the original (never upscaled), as
WebP and in the original's format (JPEG or PNG), with EXIF and all other metadata stripped.  The
original file stays in the output as the fallback for the largest size.  Pages get a
``<picture>`` with a WebP ``<source>``, ``srcset``/``sizes``, and ``width``/``height`` on the
``<img>`` (no layout shift).

Derived files are kept in ``.cache/images/`` named by the hash of the source bytes, the width and
the format, and hard-linked (or copied) into the output: an unchanged image costs no work on the
next build.  Resizing runs in a process pool when several images need it.

``register()`` only connects ``get_generators``: :class:`ImagesGenerator` runs after the
multilingual generator (list this plugin after ``multilingual`` in PLUGINS).  Settings prefix:
``IMAGES_``.
"""

from __future__ import annotations

from pelican import signals


def _check_widths(v) -> str | None:
    if isinstance(v, (list, tuple)) and v and all(isinstance(w, int) and not isinstance(w, bool) and w > 0 for w in v):
        return None
    return "must be a non-empty list of positive integers (pixel widths)"


def _check_quality(v) -> str | None:
    if isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= 100:
        return None
    return "must be an integer from 1 to 100"


def settings_schema():
    """``(prefix, {KEY: Option})``: this plugin's settings with defaults and checks."""
    from jindallae.settings import Option

    return "IMAGES_", {
        "IMAGES_WIDTHS": Option([480, 800, 1200], _check_widths,
                                "Pixel widths of the resized copies (only those narrower than the original)"),
        "IMAGES_QUALITY": Option(80, _check_quality, "JPEG and WebP quality of the resized copies (1-100)"),
    }


def get_generators(pelican):
    from .generator import ImagesGenerator

    return ImagesGenerator


def register() -> None:
    signals.get_generators.connect(get_generators)
