"""``type: zip``: the release as one zip file, for a platform that takes uploads through a web
form. ``path`` may contain ``{release}``; entries are sorted and dated 1980-01-01 so equal sites
give equal zips; the newest ``keep`` zips of the pattern are kept."""

from __future__ import annotations

import glob
import hashlib
import os
import zipfile
from pathlib import Path

from .base import DeployError, Target
from .release import Manifest, Plan


class ZipTarget(Target):
    kind = "zip"
    can_rollback = False

    def file_for(self, release: str) -> Path:
        path = Path(self.config["path"].replace("{release}", release)).expanduser()
        return path if path.is_absolute() else self.ctx.project / path

    def live(self):
        return None, None  # a zip is complete in itself: always the whole release

    def apply(self, source: Path, manifest: Manifest, plan: Plan, release: str) -> Path:
        target = self.file_for(release)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".partial")
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for path in sorted(manifest.files):
                info = zipfile.ZipInfo(path, date_time=(1980, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                zf.writestr(info, (source / path).read_bytes())
        os.replace(tmp, target)
        self.written = target
        self.ctx.log(f"  {self.ctx.name}: wrote {target} ({target.stat().st_size} bytes); upload it through the "
                     f"platform's form")
        return source

    def verify_base(self) -> str | None:
        return None

    def verify_local(self, manifest: Manifest, local: Path) -> int:
        with zipfile.ZipFile(self.written) as zf:
            names = set(zf.namelist())
            if names != set(manifest.files):
                raise DeployError(f"{self.written}: the zip does not hold exactly the release's files")
            for path, entry in manifest.files.items():
                if hashlib.sha256(zf.read(path)).hexdigest() != entry.sha256:
                    raise DeployError(f"{self.written}: {path} differs from the release")
        return len(names)

    def finish(self, plan: Plan, release: str) -> list[str]:
        pattern = str(self.file_for("*")) if "{release}" in self.config["path"] else None
        if not pattern:
            return []
        zips = sorted(glob.glob(pattern))
        old = [z for z in zips[:-self.ctx.keep] if Path(z) != self.written]
        for z in old:
            os.unlink(z)
        return old
