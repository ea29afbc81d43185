"""Signals of the build driver, for plugins (Pelican's own signals cover the Pelican run).

``release_updated``: sent after an incremental build updated the previous release in place
(:func:`jindallae.build.apply_update`), when the changed pages are already live.  Receivers get
``sender`` = the build's settings (a dict) and the keyword ``output`` (a :class:`pathlib.Path`,
the site folder).  Work that needs the whole site (the search index) happens here in such a
build; a receiver that raises fails the build with the pages already live, so the next build
is a full one.  A receiver returns the site-relative folder it replaced (``"pagefind"``), or
None when it changed nothing.  A body patch (:mod:`jindallae.body_patch`) sends it too, with
the settings' ``JINDALLAE_RELEASE`` set to ``"patch"``.
"""

from blinker import signal

release_updated = signal("jindallae.release_updated")
