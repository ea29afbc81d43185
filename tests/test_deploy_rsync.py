"""Issue 12: the ``rsync`` deploy target against a real OpenSSH server on 127.0.0.1 (throwaway
host and user keys made by the test), with the "remote" web root served by a real nginx using
the configuration ``jindallae deploy --nginx-config`` prints: only what changed is sent,
unchanged files are hard links to the previous release, rollback, deletions, refused keys and
host keys, and kill -9 during a deploy."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urljoin

import pytest
from bs4 import BeautifulSoup

from deploy_helpers import PUBLIC, deploy_project, fetch, free_port, nginx, run_cli
from jindallae.deploy.base import DeployError
from jindallae.deploy.nginx import nginx_config
from jindallae.deploy.release import scan
from jindallae.deploy.run import deploy, production_settings
from jindallae.progress import Progress
from server_helpers import SSHD, kill_when, sshd
from site_helpers import jpeg_bytes

pytestmark = pytest.mark.skipif(not (SSHD.exists() and shutil.which("rsync") and shutil.which("ssh")),
                                reason="needs Debian's openssh-server and rsync (scripts/install-system-deps.sh test)")

QUIET = dict(log=lambda line: None)


def quiet() -> Progress:
    return Progress("off")


@pytest.fixture
def server(tmp_path):
    """sshd on 127.0.0.1, stopped at teardown."""
    with sshd(tmp_path / "sshd") as s:
        yield s


def rsync_site(tmp_path: Path, server, **extra):
    """A project with one rsync target (the "remote" web root under tmp_path/remote), its
    remote path, nginx port and nginx configuration."""
    port = free_port()
    remote = tmp_path / "remote" / "rkwh"
    project = deploy_project(tmp_path / "proj", {"web": server.target(remote, verify_url=f"http://127.0.0.1:{port}",
                                                                      **extra)})
    _, settings = production_settings(project)
    return project, remote, port, nginx_config(settings, "web", f"127.0.0.1:{port}")


def served_release(remote: Path) -> Path:
    return (remote / "current").resolve()


def edit(project: Path, rel: str, old: str, new: str) -> None:
    page = project / "content" / rel
    text = page.read_text(encoding="utf-8")
    assert old in text
    page.write_text(text.replace(old, new), encoding="utf-8")


def test_first_unchanged_edited_and_deleted(tmp_path, server):
    project, remote, port, conf = rsync_site(tmp_path, server)
    built = project / "build-publish"
    with nginx(tmp_path / "nginx", conf, port) as base:
        first = deploy(project, progress=quiet(), **QUIET)
        manifest = scan(built, exclude=["_reports/"])
        assert first.plan.first and set(first.plan.upload) == set(manifest.files) and first.verified >= 5
        assert served_release(remote).name == first.release
        # everything arrived, byte for byte, and nginx serves exactly the build
        assert scan(served_release(remote)).files.keys() >= manifest.files.keys()
        webp = next(p for p in manifest.files if re.search(r"park\.[0-9a-f]{8,}\.800\.webp$", p))
        for path, url in (("index.html", "/"), ("news/jiangzuo/index.html", "/news/jiangzuo/"),
                          ("ko/news/jiangzuo/index.html", "/ko/news/jiangzuo/"), ("atom.xml", "/atom.xml"),
                          ("theme/css/site.css", "/theme/css/site.css"), (webp, "/" + webp)):
            status, body, _ = fetch(base + url)
            assert status == 200 and body == (built / path).read_bytes(), path
        # the release's manifest sits outside the web root
        assert (remote / "releases" / f"{first.release}.json").is_file()
        assert fetch(f"{base}/../releases/{first.release}.json")[0] in (400, 404)

        again = deploy(project, progress=quiet(), **QUIET)
        assert len(again.plan.upload) == 0 and again.plan.delete == [] and again.release == first.release
        assert len(list((remote / "releases").iterdir())) == 2  # one release and its manifest: nothing new

        edit(project, "news/jianfang.zh.md", "园区开放。", "园区今天正式开放。")
        one = deploy(project, progress=quiet(), **QUIET)
        up = set(one.plan.upload)
        assert "news/jianfang/index.html" in up
        assert {"news/jiangzuo/index.html", "ko/news/jiangzuo/index.html", "policy/mianfei/index.html",
                webp, "theme/css/site.css"} <= set(one.plan.keep)
        assert not up & {"news/jiangzuo/index.html", "policy/mianfei/index.html"}
        assert all(p.endswith((".html", ".xml", ".json")) or p.startswith("pagefind/") for p in up), up
        # unchanged files of the new release are hard links to the previous release's files
        old, new = remote / "releases" / first.release, served_release(remote)
        assert new.name == one.release != first.release
        for path in one.plan.keep:
            assert os.stat(new / path).st_ino == os.stat(old / path).st_ino, path
        for path in one.plan.upload:
            if (old / path).exists():
                assert os.stat(new / path).st_ino != os.stat(old / path).st_ino, path
        # ...precompressed copies too, and nginx reads every file whatever the local umask
        gz = "news/jiangzuo/index.html.gz"
        assert os.stat(new / gz).st_ino == os.stat(old / gz).st_ino
        assert all(os.stat(new / p).st_mode & 0o777 == 0o644 for p in scan(built, exclude=["_reports/"]).files)
        assert "今天正式开放".encode() in fetch(base + "/news/jianfang/")[1]

        (project / "content/news/jianfang.zh.md").unlink()
        gone = deploy(project, progress=quiet(), **QUIET)
        assert "news/jianfang/index.html" in gone.plan.delete
        assert fetch(base + "/news/jianfang/")[0] == 404
        assert fetch(base + "/news/jiangzuo/")[0] == 200
        assert f"{PUBLIC}/news/jianfang/" in gone.urls


def test_rollback_switches_back_in_one_step(tmp_path, server):
    project, remote, port, conf = rsync_site(tmp_path, server)
    with nginx(tmp_path / "nginx", conf, port) as base:
        first = deploy(project, progress=quiet(), **QUIET)
        home_before = fetch(base + "/")[1]
        edit(project, "news/jiangzuo.zh.md", "延吉市举办幸福家庭讲座", "延吉市再办幸福家庭讲座")
        second = deploy(project, progress=quiet(), **QUIET)
        assert fetch(base + "/")[1] != home_before and "再办".encode() in fetch(base + "/")[1]
        proc = run_cli(project, "deploy", "--rollback", timeout=120)
        assert proc.returncode == 0, proc.stderr
        assert f"rolled back from {second.release} to {first.release}" in proc.stdout
        assert served_release(remote).name == first.release and fetch(base + "/")[1] == home_before
        # nothing older left: a second rollback is refused and changes nothing
        proc = run_cli(project, "deploy", "--rollback", timeout=120)
        assert proc.returncode == 1 and "no earlier release" in proc.stderr, proc.stderr
        assert served_release(remote).name == first.release


def test_identity_file_inside_the_project_is_refused(tmp_path, server):
    project, remote, port, conf = rsync_site(tmp_path, server)
    inside = project / "deploy_key"
    inside.write_bytes(server.identity.read_bytes())
    inside.chmod(0o600)
    (project / "publishconf.py").write_text(
        (project / "publishconf.py").read_text(encoding="utf-8").replace(str(server.identity), "deploy_key"),
        encoding="utf-8")
    proc = run_cli(project, "deploy", timeout=120)
    assert proc.returncode == 1
    assert "['identity_file']: deploy_key is inside the project" in proc.stderr, proc.stderr
    assert "outside the repository" in proc.stderr
    assert not remote.exists()


def test_a_wrong_host_key_fails_clearly_and_changes_nothing(tmp_path, server):
    project, remote, port, conf = rsync_site(tmp_path, server)
    with nginx(tmp_path / "nginx", conf, port) as base:
        first = deploy(project, progress=quiet(), **QUIET)
        home = fetch(base + "/")[1]
        settings = project / "publishconf.py"
        settings.write_text(settings.read_text(encoding="utf-8").replace(str(server.known_hosts),
                                                                         str(server.other_known_hosts)),
                            encoding="utf-8")
        edit(project, "news/jiangzuo.zh.md", "延吉市举办幸福家庭讲座", "延吉市再办幸福家庭讲座")
        with pytest.raises(DeployError) as exc:
            deploy(project, progress=quiet(), **QUIET)
        message = str(exc.value)
        assert "Host key verification failed" in message and "known_hosts" in message, message
        assert "the live site was not changed" in message
        assert served_release(remote).name == first.release and fetch(base + "/")[1] == home
        assert sorted(p.name for p in (remote / "releases").iterdir()) == [first.release, f"{first.release}.json"]
        # the CLI says the same on stderr, without a traceback
        proc = run_cli(project, "deploy", "--no-build", timeout=120)
        assert proc.returncode == 1 and "Deploy failed:" in proc.stderr and "Traceback" not in proc.stderr
        assert "Host key verification failed" in proc.stderr


def test_a_remote_path_that_cannot_be_created_is_named(tmp_path, server):
    blocker = tmp_path / "srv"
    blocker.write_text("a file where the web root's parent folder should be", encoding="utf-8")
    project = deploy_project(tmp_path / "proj", {"web": server.target(blocker / "rkwh")})
    with pytest.raises(DeployError) as exc:
        deploy(project, progress=quiet(), **QUIET)
    message = str(exc.value)
    assert "preparing the releases folder failed" in message and "Not a directory" in message, message
    assert "the live site was not changed" in message


def group_gone(pgid: int, timeout: float = 30) -> None:
    """Wait (bounded) until no process of group ``pgid`` is left (ssh or rsync children of a
    killed deploy finish or die with it)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    os.killpg(pgid, signal.SIGKILL)
    raise AssertionError(f"processes of the killed deploy (group {pgid}) still ran after {timeout} s")


def snapshot(folder: Path, article: str) -> dict[str, bytes]:
    """The home page, ``article`` and the pictures it shows, from one release folder."""
    files = {p: (folder / p).read_bytes() for p in ("index.html", article)}
    soup = BeautifulSoup(files[article], "html.parser")
    for img in soup.find_all("img"):
        rel = urljoin("/" + article, img["src"]).lstrip("/")
        files[rel] = (folder / rel).read_bytes()
    assert len(files) > 2
    return files


def test_kill_9_during_an_rsync_deploy_leaves_old_or_new(tmp_path, server):
    """Fault injection, bounded (5 kills): `jindallae deploy` killed with SIGKILL in each phase —
    while it starts, as soon as rsync creates the ``.partial`` folder and twice during the
    transfer or the switch, and right after ``current`` was switched (verification, pruning). After
    each, the home page, an article and its picture are served from one release (all old or
    all new); the next deploy succeeds and leaves no ``.partial`` folder."""
    from jindallae.build import build

    project, remote, port, conf = rsync_site(tmp_path, server)
    built = project / "build-publish"
    article = "news/jiangzuo/index.html"
    cmd = [sys.executable, "-m", "jindallae.cli", "--project", str(project), "deploy", "--no-build", "--no-progress"]
    releases = remote / "releases"

    def partials() -> set[str]:
        return {p.name for p in releases.glob("*.partial")}

    def rebuild(n: int) -> None:
        # new words and a new picture (a new fingerprinted file name) for the article
        (project / "content/images/park.jpg").write_bytes(jpeg_bytes(color=(20 * n, 90, 160), size=(1000, 600)))
        edit(project, "news/jiangzuo.zh.md", "讲座在人民公园举行。", f"讲座在人民公园举行。第{n}次。\n\n讲座在人民公园举行。")
        build(project, None, built, project / "publishconf.py", progress=False)

    with nginx(tmp_path / "nginx", conf, port) as base:
        deploy(project, progress=quiet(), **QUIET)
        kills = 0
        for n in range(1, 6):
            rebuild(n)
            live = served_release(remote)
            old, new = snapshot(live, article), snapshot(built, article)
            assert old != new
            before = partials()  # a .partial folder a killed deploy left (the next one removes it)

            def partial() -> bool:
                return bool(partials() - before)

            moments = {1: (lambda: True, 0.5), 2: (partial, 0.0), 3: (partial, 0.1), 4: (partial, 0.3),
                       5: (lambda: served_release(remote) != live, 0.0)}
            ready, delay = moments[n]
            victim = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL, start_new_session=True)
            try:
                kills += kill_when(victim, ready, delay)  # the deploy process only, as the OOM killer would
                victim.wait(60)
            finally:
                group_gone(victim.pid)  # its ssh and rsync children end too
            # the article served decides which release it is; its home page and picture must match
            one = new if fetch(f"{base}/{article}")[1] == new[article] else old
            served = {rel: fetch(f"{base}/{rel}") for rel in one}
            assert {rel: (status, body) for rel, (status, body, _) in served.items()} == \
                {rel: (200, data) for rel, data in one.items()}, n
            assert len(list(releases.glob("*.partial"))) <= 1
        assert kills >= 3, f"only {kills} deploys were still running when killed"
        final = deploy(project, progress=quiet(), **QUIET)
        assert not list(releases.glob("*.partial"))
        assert served_release(remote).name == final.release
        assert snapshot(served_release(remote), article) == snapshot(built, article)
        for rel, data in snapshot(built, article).items():
            assert fetch(f"{base}/{rel}")[1] == data, rel
