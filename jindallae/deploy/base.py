"""What every deploy target does, and what the driver gives it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from .release import Manifest, Plan


class DeployError(Exception):
    """A deploy or rollback that did not happen (or was undone); the message says which step
    failed, that the live site is unchanged, and what to do."""


@dataclass
class TargetContext:
    """``name`` and ``config`` of the target (one ``DEPLOY_TARGETS`` entry), the site's public
    URL, the project folder, a private ``work`` folder (staging), releases to ``keep`` and the
    deletion limit ``max_deletions``; ``log`` prints one line."""

    name: str
    config: dict[str, Any]
    public_url: str
    project: Path
    work: Path
    keep: int
    max_deletions: int
    log: Callable[[str], None]


class Target:
    """A place the site is published to. The driver (:func:`jindallae.deploy.run.deploy`) calls
    :meth:`live`, then :meth:`apply` with the plan, :meth:`verify_base` to fetch the result,
    :meth:`undo` if verification fails, then :meth:`finish`."""

    kind = ""
    can_rollback = True

    def __init__(self, ctx: TargetContext) -> None:
        self.ctx = ctx
        self.config = ctx.config

    def live(self) -> tuple[str | None, Manifest | None]:
        """The live release id and manifest, ``(None, None)`` before the first deploy."""
        raise NotImplementedError

    def apply(self, source: Path, manifest: Manifest, plan: Plan, release: str) -> Path:
        """Publish ``source`` (the built site) as ``release`` following ``plan``, without its
        deletions; return the local folder holding the bytes the target now serves."""
        raise NotImplementedError

    def undo(self, previous: str | None) -> None:
        """Make ``previous`` live again after a failed verification."""

    def finish(self, plan: Plan, release: str) -> list[str]:
        """After verification: deletions (object stores) or pruning old releases; returns the
        paths or releases removed."""
        return []

    def rollback(self) -> tuple[str, str]:
        """Switch back to the previous release in one step; returns ``(from, to)``."""
        raise DeployError(f"{self.ctx.name}: a {self.kind} target keeps no earlier release to roll back to; "
                          f"check out the earlier content and deploy again")

    def verify_base(self) -> str | None:
        """The URL the deployed files are fetched from (``None``: verified another way)."""
        return (self.config.get("verify_url") or self.ctx.public_url).rstrip("/")

    def verify_local(self, manifest: Manifest, local: Path) -> int:
        """Verify a target that has no URL (a zip file); returns files checked."""
        return 0
