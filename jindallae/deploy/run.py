"""The deploy driver: production build -> plan -> apply -> verify -> finish -> post-deploy.

:func:`deploy` is what ``jindallae deploy`` and the CMS's "Approve and publish" run. Every step
is reported through a ``log`` callback (one line each) and timed by a
:class:`~jindallae.progress.Progress`; a failure at any step raises :class:`DeployError` (or
``BuildError``/``SettingsError`` from the build) and leaves the live site as it was: a failed
verification switches the target back to the release that was live.
"""

from __future__ import annotations

import contextlib
import fcntl
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

from .base import DeployError, Target, TargetContext
from .config import public_url_problem
from .release import Manifest, Plan, VerifyError, kind, make_plan, public_url_of, release_id, scan, verify

PUBLISH_SETTINGS = "publishconf.py"


@dataclass
class DeployResult:
    """One deploy: the ``target`` name, the ``release`` now live, the ``plan`` applied, files
    ``verified``, ``removed`` (deleted paths or pruned releases), the public ``urls`` that
    changed, and ``seconds`` per step."""

    target: str
    release: str
    plan: Plan
    verified: int = 0
    removed: list[str] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    dry_run: bool = False
    timings: dict[str, float] = field(default_factory=dict)
    rolled_back_to: str = ""
    post_deploy_output: str = ""


def production_settings(project: Path, settings_file: Path | None = None) -> tuple[Path, dict[str, Any]]:
    """Load the production settings (``publishconf.py`` unless ``settings_file``) and refuse a
    public URL that is not public. Returns ``(settings file, settings)``; raises
    :class:`DeployError` naming the file and the setting to fix."""
    from jindallae.settings import load_settings

    conf = (settings_file or project / PUBLISH_SETTINGS).resolve()
    settings = load_settings(project, conf)
    problem = public_url_problem(settings.get("JINDALLAE_PUBLIC_URL"))
    if problem:
        raise DeployError(f"{conf.name}: JINDALLAE_PUBLIC_URL {problem}; set it to the address the public reads the "
                          f"site at, e.g. JINDALLAE_PUBLIC_URL = \"https://www.yanbian.gov.cn/zt/rkwh\" "
                          f"(a local preview may use localhost with `jindallae build`)")
    return conf, settings


def make_target(name: str | None, settings: dict[str, Any], project: Path, log: Callable[[str], None]) -> Target:
    """The :class:`Target` named ``name`` (default ``DEPLOY_DEFAULT_TARGET``, or the only one)."""
    from .dir_target import DirTarget
    from .rsync_target import RsyncTarget
    from .s3_target import S3Target
    from .zip_target import ZipTarget

    targets = settings.get("DEPLOY_TARGETS") or {}
    if not targets:
        raise DeployError("DEPLOY_TARGETS is empty: declare where the site is published in publishconf.py, e.g. "
                          "DEPLOY_TARGETS = {\"web\": {\"type\": \"dir\", \"path\": \"/srv/www/rkwh\"}}")
    if name is None:
        name = settings.get("DEPLOY_DEFAULT_TARGET") or (next(iter(targets)) if len(targets) == 1 else None)
        if name is None:
            raise DeployError(f"several deploy targets ({', '.join(sorted(targets))}): choose one with --target "
                              f"or set DEPLOY_DEFAULT_TARGET")
    if name not in targets:
        raise DeployError(f"no deploy target {name!r}; DEPLOY_TARGETS has: {', '.join(sorted(targets))}")
    config = targets[name]
    keep = config.get("keep", settings.get("DEPLOY_KEEP_RELEASES", 5))
    ctx = TargetContext(name, config, settings["JINDALLAE_PUBLIC_URL"].rstrip("/"), project,
                        project / ".cache" / "deploy" / name, keep,
                        config.get("max_deletions", settings.get("DEPLOY_MAX_DELETIONS", 200)), log)
    ctx.work.mkdir(parents=True, exist_ok=True)
    cls = {"dir": DirTarget, "rsync": RsyncTarget, "s3": S3Target, "zip": ZipTarget}[config["type"]]
    return cls(ctx)


@contextlib.contextmanager
def deploy_lock(path: Path) -> Iterator[None]:
    """One deploy per target at a time (an exclusive ``flock``, waited for)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as fp:
        fcntl.flock(fp.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fp.fileno(), fcntl.LOCK_UN)


def deploy(project: Path, target: str | None = None, *, dry_run: bool = False, rollback: bool = False,
           force: bool = False, settings_file: Path | None = None, content: Path | None = None,
           log: Callable[[str], None] = print, progress: Any = None, build_site: bool = True) -> DeployResult:
    """Build ``project`` with its production settings and publish it to ``target``.

    ``dry_run`` prints the plan and changes nothing; ``rollback`` switches the target back to
    its previous release (no build); ``force`` allows more deletions than the limit.
    ``progress`` is a :class:`~jindallae.progress.Progress` (default: lines on stderr).
    Raises :class:`DeployError`, ``BuildError`` or ``SettingsError``; the live site is then as
    it was before the call.
    """
    from jindallae.build import build
    from jindallae.progress import Progress

    project = Path(project).resolve()
    progress = progress if progress is not None else Progress(None)
    conf, settings = production_settings(project, settings_file)
    tgt = make_target(target, settings, project, log)
    with deploy_lock(tgt.ctx.work.parent / f"{tgt.ctx.name}.lock"):
        if rollback:
            return _rollback(tgt, progress, log)
        output = project / settings.get("DEPLOY_OUTPUT", "build-publish")
        if build_site:
            built = build(project, content, output, conf, progress=progress)
            for line in built.warnings:  # never blocking (placeholder SITE_* details, drafts with errors)
                log(f"warning: {line}")
        if not output.is_dir():
            raise DeployError(f"{output}: no production build to deploy; run without --no-build")
        with progress.phase("plan", unit="file") as step:
            manifest = scan(output, exclude=settings.get("DEPLOY_EXCLUDE", ["_reports/"]))
            live_release, live = tgt.live()
            plan = make_plan(live, manifest)
            pending = [p for p in getattr(tgt, "pending_deletions", lambda: [])() if p not in manifest.files
                       and p not in plan.delete]
            plan.delete += pending
            step.update(len(manifest.files))
        log(f"{tgt.ctx.name} ({tgt.kind}): live release {live_release or '(none)'}; {plan.summary()}")
        release = release_id(manifest)
        result = DeployResult(tgt.ctx.name, release, plan, dry_run=dry_run)
        result.urls = sorted({public_url_of(tgt.ctx.public_url, p) for p in plan.changed_pages()} |
                             ({public_url_of(tgt.ctx.public_url, p) for p in plan.upload
                               if p.endswith((".xml", ".ics"))}))
        too_many = len(plan.delete) > tgt.ctx.max_deletions and not force
        if dry_run:
            for path in plan.upload:
                log(f"  upload {path}")
            for path in plan.delete:
                log(f"  delete {path}")
            if too_many:
                log(f"note: {len(plan.delete)} deletions are more than the limit of {tgt.ctx.max_deletions}; "
                    f"the deploy will need --force")
            return result
        if too_many:
            raise DeployError(f"{tgt.ctx.name}: this deploy would delete {len(plan.delete)} files, more than the limit "
                              f"of {tgt.ctx.max_deletions} (DEPLOY_MAX_DELETIONS or the target's max_deletions); check "
                              f"that the build is complete, then run again with --force. Nothing was changed.")
        if not plan.upload and not plan.delete and live_release:
            log(f"{tgt.ctx.name}: nothing changed; release {live_release} stays live")
            result.release = live_release
            return result
        with progress.phase("upload", total=len(plan.upload), unit="file") as step:
            local = tgt.apply(output, manifest, plan, release)
            step.update(len(plan.upload))
            step.note = f"{plan.summary()}"
        with progress.phase("verify", unit="file") as step:
            try:
                result.verified = _verify(tgt, manifest, plan, local)
            except (VerifyError, DeployError) as exc:
                tgt.undo(live_release)
                raise DeployError(f"{tgt.ctx.name}: verification failed after the upload: {exc}. "
                                  + (f"Release {live_release} is live again." if live_release and tgt.can_rollback
                                     else "Check the target and deploy again.")) from None
            step.update(result.verified)
        with progress.phase("finish", unit="file") as step:
            result.removed = tgt.finish(plan, release)
            if hasattr(tgt, "settle"):
                tgt.settle(manifest)
                if plan.delete and tgt.verify_base():
                    try:
                        verify(tgt.verify_base(), local, [], plan.delete[:50])
                    except VerifyError as exc:
                        raise DeployError(f"{tgt.ctx.name}: release {release} is live, but deleted files are still "
                                          f"served at {tgt.verify_base()} (a cache in front of the storage?): {exc}"
                                          ) from None
            step.update(len(result.removed))
        if tgt.config.get("post_deploy"):
            result.post_deploy_output = _post_deploy(tgt, release, result.urls, project, log)
        result.timings = dict(progress.timings)
        log(f"{tgt.ctx.name}: release {release} is live and verified ({result.verified} files fetched and compared)")
        return result


def _verify(tgt: Target, manifest: Manifest, plan: Plan, local: Path) -> int:
    """Fetch the home pages and every uploaded page (plus feeds) from the target and compare
    bytes with the release."""
    base = tgt.verify_base()
    if base is None:
        return tgt.verify_local(manifest, local)
    homes = [p for p in manifest.files if kind(p) == "home"]
    changed = [p for p in plan.upload if p.endswith((".html", ".xml", ".ics", ".json")) and p not in homes]
    return verify(base, local, sorted(set(homes + changed)))


def _rollback(tgt: Target, progress: Any, log: Callable[[str], None]) -> DeployResult:
    with progress.phase("rollback", unit="release"):
        before, after = tgt.rollback()
    _live, manifest = tgt.live()
    result = DeployResult(tgt.ctx.name, after, Plan(), rolled_back_to=after)
    if manifest is not None and tgt.verify_base():
        homes = [p for p in manifest.files if kind(p) == "home"]
        local = Path(tgt.config["path"]) / "releases" / after if tgt.kind == "dir" else None
        if local is not None:
            result.verified = verify(tgt.verify_base(), local, homes)
    log(f"{tgt.ctx.name}: rolled back from {before} to {after}" + (f" (verified {result.verified} home pages)"
                                                                  if result.verified else ""))
    return result


def _post_deploy(tgt: Target, release: str, urls: list[str], project: Path, log: Callable[[str], None]) -> str:
    """Run the target's ``post_deploy`` command with the changed public URLs on standard input
    (one per line) and ``JINDALLAE_RELEASE``/``JINDALLAE_TARGET`` in the environment. A failure
    is reported, not raised: the site is already live."""
    import os

    cmd = tgt.config["post_deploy"]
    env = dict(os.environ, JINDALLAE_RELEASE=release, JINDALLAE_TARGET=tgt.ctx.name)
    started = time.perf_counter()
    try:
        proc = subprocess.run(cmd, input="".join(u + "\n" for u in urls), capture_output=True, text=True,
                              cwd=project, env=env, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as exc:
        log(f"warning: post-deploy command {cmd[0]} failed: {exc}; the site is live")
        return ""
    took = time.perf_counter() - started
    if proc.returncode != 0:
        log(f"warning: post-deploy command {cmd[0]} exited {proc.returncode} after {took:.1f} s: "
            f"{(proc.stderr or proc.stdout).strip()[-300:]}; the site is live")
    else:
        log(f"post-deploy: {cmd[0]} received {len(urls)} changed URL(s) ({took:.1f} s)")
    return proc.stdout
