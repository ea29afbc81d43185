"""Jindallae: a bilingual (Simplified Chinese / Korean) static site generator on Pelican.

Modules: :mod:`jindallae.model` (the content model), :mod:`jindallae.markup` (CJK Markdown),
:mod:`jindallae.slugs`, :mod:`jindallae.settings`, :mod:`jindallae.site` (prepared content),
:mod:`jindallae.i18n` (UI catalogues), :mod:`jindallae.build` (the driver), :mod:`jindallae.cli`.
"""

__version__ = "0.1.0"
