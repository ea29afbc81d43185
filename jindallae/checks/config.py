"""Settings of ``jindallae check`` (prefix ``CHECKS_``), declared once like a plugin's.

:func:`jindallae.settings.load_settings` reads this schema next to the plugins' schemas, so a
``CHECKS_*`` key in pelicanconf.py is validated (and a misspelt one is reported) at start-up.
Kept free of heavy imports: every build loads it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


def _check_ids(v: Any) -> str | None:
    from .catalogue import CHECKS

    if not isinstance(v, (list, tuple)) or not all(isinstance(x, str) for x in v):
        return "must be a list of check ids"
    unknown = [x for x in v if x not in CHECKS]
    return f"unknown check id(s) {unknown}; known: {sorted(CHECKS)}" if unknown else None


def _relative_file(v: Any) -> str | None:
    if not isinstance(v, str) or not v or v.startswith("/") or ".." in v.split("/"):
        return "must be a file path relative to the content folder"
    return None


def _relative_files(v: Any) -> str | None:
    if not isinstance(v, (list, tuple)) or any(_relative_file(x) for x in v):
        return "must be a list of file paths relative to the content folder"
    return None


def _check_norm(v: Any) -> str | None:
    from .korean_norm import check_norm

    return check_norm(v)


def settings_schema():
    """``(prefix, {KEY: Option})`` of the editorial checks."""
    from jindallae.settings import Option, is_type, positive_int

    return "CHECKS_", {
        "CHECKS_TERMS_FILE": Option("terms.yaml", _relative_file,
                                    "Terms to avoid and the wording to prefer, per language (relative to content/)"),
        "CHECKS_ACCEPT_FILE": Option("checks-accepted.yaml", _relative_file,
                                     "Findings staff have reviewed and accepted (relative to content/)"),
        "CHECKS_IMAGE_MAX_BYTES": Option(1_000_000, positive_int, "An image larger than this (bytes) is too large to serve"),
        "CHECKS_IMAGE_MAX_PIXELS": Option(12_000_000, positive_int,
                                          "An image with more pixels than this (width x height) is too large to serve"),
        "CHECKS_TRADITIONAL_ALLOW": Option("", is_type(str),
                                           "Characters never reported as Traditional in Simplified pages (e.g. a surname)"),
        "CHECKS_DISABLE": Option([], _check_ids, "Check ids to switch off, e.g. ['punctuation-mix']"),
        "CHECKS_KOREAN_NORM": Option("yanbian", _check_norm,
                                     "Korean spelling norm of the Korean pages: 'yanbian' (the Chinese Korean norms, "
                                     "check korean-norm) or 'south' (South Korean spelling: the check is off)"),
        "CHECKS_KOREAN_NORM_FILE": Option("korean-norms.yaml", _relative_file,
                                          "Glossary of the korean-norm check: South Korean form -> Yanbian form "
                                          "(relative to content/)"),
        "CHECKS_SENSITIVE_FILES": Option(["sensitive-words.yaml"], _relative_files,
                                         "Word lists of the sensitive check, one list per language in each file "
                                         "(relative to content/)"),
        "CHECKS_TYPOS_FILE": Option("typos.yaml", _relative_file,
                                    "Common confusions of the typo check, per language (relative to content/)"),
    }


@dataclass
class CheckConfig:
    """The ``CHECKS_*`` settings as values (defaults when no settings are given)."""

    terms_file: str = "terms.yaml"
    accept_file: str = "checks-accepted.yaml"
    image_max_bytes: int = 1_000_000
    image_max_pixels: int = 12_000_000
    traditional_allow: str = ""
    disable: list[str] = field(default_factory=list)
    korean_norm: str = "yanbian"
    korean_norm_file: str = "korean-norms.yaml"
    sensitive_files: list[str] = field(default_factory=lambda: ["sensitive-words.yaml"])
    typos_file: str = "typos.yaml"
    siteurl: str = ""
    public_url: str = ""

    @classmethod
    def from_settings(cls, settings: dict[str, Any] | None) -> "CheckConfig":
        s = settings or {}
        d = cls()
        return cls(
            terms_file=s.get("CHECKS_TERMS_FILE", d.terms_file),
            accept_file=s.get("CHECKS_ACCEPT_FILE", d.accept_file),
            image_max_bytes=s.get("CHECKS_IMAGE_MAX_BYTES", d.image_max_bytes),
            image_max_pixels=s.get("CHECKS_IMAGE_MAX_PIXELS", d.image_max_pixels),
            traditional_allow=s.get("CHECKS_TRADITIONAL_ALLOW", d.traditional_allow),
            disable=list(s.get("CHECKS_DISABLE", d.disable)),
            korean_norm=s.get("CHECKS_KOREAN_NORM", d.korean_norm),
            korean_norm_file=s.get("CHECKS_KOREAN_NORM_FILE", d.korean_norm_file),
            sensitive_files=list(s.get("CHECKS_SENSITIVE_FILES", d.sensitive_files)),
            typos_file=s.get("CHECKS_TYPOS_FILE", d.typos_file),
            siteurl=(s.get("SITEURL") or "").rstrip("/"),
            public_url=(s.get("JINDALLAE_PUBLIC_URL") or "").rstrip("/"),
        )
