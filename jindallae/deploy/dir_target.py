"""``type: dir``: a web root on this server (``releases/`` + ``current``, see :mod:`.layout`)."""

from __future__ import annotations

from pathlib import Path

from .base import DeployError, Target
from .layout import Layout, LayoutError, Shell
from .release import Manifest, Plan, stage_release


class DirTarget(Target):
    kind = "dir"

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self.root = Path(self.config["path"])
        self.layout = Layout(Shell(), str(self.root))

    def live(self):
        if not self.root.exists():  # a first deploy, or a typo in "path": say which before creating it
            self.ctx.log(f"  {self.ctx.name}: {self.root} does not exist yet; the deploy creates it "
                         f"(check the path in DEPLOY_TARGETS if this is not a first deploy)")
        return self.layout.live()

    def apply(self, source: Path, manifest: Manifest, plan: Plan, release: str) -> Path:
        self.layout.prepare()
        live, before = self.layout.live()
        previous = self.root / "releases" / live if live else None
        partial = self.root / "releases" / f"{release}.partial"
        written = stage_release(source, partial, previous, before, manifest, self.config.get("precompress", True))
        manifest.release = release
        self.layout.switch(release, manifest)
        self.ctx.log(f"  {self.ctx.name}: {written} file(s) written, the rest hard-linked from the previous release")
        self.ctx.log(f"  {self.ctx.name}: {self.root}/current -> releases/{release}")
        return self.root / "releases" / release

    def undo(self, previous: str | None) -> None:
        if previous:
            self.layout.point(previous)

    def finish(self, plan: Plan, release: str) -> list[str]:
        return self.layout.prune(self.ctx.keep, release)

    def rollback(self) -> tuple[str, str]:
        live, _ = self.layout.live()
        before = self.layout.previous(live)
        if before is None:
            raise DeployError(f"{self.ctx.name}: no earlier release in {self.root}/releases to roll back to")
        try:
            self.layout.point(before)
        except LayoutError as exc:
            raise DeployError(f"{self.ctx.name}: {exc}") from None
        return live or "", before
