"""Issue 12: publishing that reaches the public — production settings, the `dir` target served by
a real nginx on 127.0.0.1 (with the configuration `jindallae deploy --nginx-config` prints), a
site under a sub-path, rollback, the zip package, post-deploy commands, and kill -9 during a
deploy. (rsync over a real sshd: test_deploy_rsync.py; S3 on moto's server: test_deploy_s3.py.)"""

from __future__ import annotations

import gzip
import json
import os
import re
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup

from deploy_helpers import PUBLIC, SITE, deploy_project, fetch, free_port, nginx, run_cli
from jindallae.deploy.base import DeployError
from jindallae.deploy.config import public_url_problem
from jindallae.deploy.nginx import nginx_config
from jindallae.deploy.release import Manifest, file_sha256, make_plan, release_id, scan
from jindallae.deploy.run import deploy, production_settings
from jindallae.progress import Progress
from jindallae.settings import SettingsError
from site_helpers import md

QUIET = dict(log=lambda line: None)


def quiet() -> Progress:
    return Progress("off")


def dir_site(tmp_path: Path, public_url: str = PUBLIC, **target):
    """A project with one dir target under tmp_path/srv, its nginx config and port."""
    port = free_port()
    sub = urlsplit(public_url).path.rstrip("/")
    web = tmp_path / "srv" / "rkwh"
    config = {"type": "dir", "path": str(web), "verify_url": f"http://127.0.0.1:{port}{sub}", **target}
    project = deploy_project(tmp_path / "proj", {"web": config}, public_url=public_url)
    _, settings = production_settings(project)
    return project, web, port, nginx_config(settings, "web", f"127.0.0.1:{port}")


def served_release(web: Path) -> Path:
    return (web / "current").resolve()


# ---------------------------------------------------------------------------------------------
# Production settings


@pytest.mark.parametrize("url", [None, "", "http://localhost:8000", "http://127.0.0.1", "http://[::1]:8080",
                                 "https://www.jindallae.example", "https://site.test", "https://example.com/x",
                                 "http://intranet", "https://web.localhost"])
def test_public_url_that_is_not_public_is_refused(url):
    assert public_url_problem(url)


@pytest.mark.parametrize("url", ["https://www.yanbian.gov.cn", "https://www.yanbian.gov.cn/zt/rkwh", "http://rkwh.jl.cn"])
def test_public_urls_are_accepted(url):
    assert public_url_problem(url) is None


def test_publish_refuses_the_starter_example_address(tmp_path):
    """`build --publish` and `deploy` name the setting and the file to fix; nothing is built."""
    project = deploy_project(tmp_path / "proj", {"web": {"type": "dir", "path": str(tmp_path / "srv")}},
                             public_url="http://localhost:8000")
    for args in (["build", "--publish"], ["deploy"]):
        proc = run_cli(project, *args)
        assert proc.returncode in (1, 2)
        assert "publishconf.py: JINDALLAE_PUBLIC_URL 'http://localhost:8000'" in proc.stderr, proc.stderr
        assert "set it to the address the public reads the site at" in proc.stderr
    assert not (tmp_path / "srv").exists() and not (project / "build-publish").exists()


@pytest.mark.parametrize("target, fragment", [
    ({"type": "ftp", "path": "/x"}, "['type'] must be one of"),
    ({"type": "dir"}, "a dir target needs ['path']"),
    ({"type": "dir", "path": "srv/www"}, "must be an absolute path"),
    ({"type": "s3", "bucket": "b", "secret_access_key": "abc"}, "looks like a secret"),
    ({"type": "rsync", "host": "h", "path": "/x", "password": "pw"}, "looks like a secret"),
    ({"type": "dir", "path": "/x", "keep": 0}, "['keep'] must be a positive integer"),
    ({"type": "dir", "path": "/x", "post_deploy": "refresh.sh"}, "must be a command as a list"),
    ({"type": "dir", "path": "/x", "colour": "red"}, "unknown key(s) ['colour']"),
])
def test_deploy_targets_are_validated(tmp_path, target, fragment):
    project = deploy_project(tmp_path / "proj", {"web": target})
    with pytest.raises(SettingsError) as exc:
        production_settings(project)
    assert "DEPLOY_TARGETS" in str(exc.value) and fragment in str(exc.value), str(exc.value)


# ---------------------------------------------------------------------------------------------
# dir target + nginx


def test_D2_dir_deploy_first_unchanged_one_edit_and_a_deletion(tmp_path):
    """First deploy uploads everything; a second with nothing changed uploads nothing although
    the release holds .gz copies (the decision uses our hash of the source bytes, D2); one
    edited article sends its page and the lists, never the unchanged assets; a deleted page is
    gone."""
    project, web, port, conf = dir_site(tmp_path)
    with nginx(tmp_path / "nginx", conf, port) as base:
        first = deploy(project, progress=quiet(), **QUIET)
        built = project / "build-publish"
        public_files = set(scan(built, exclude=["_reports/"]).files)
        assert first.plan.first and set(first.plan.upload) == public_files and first.verified >= 5
        # the staff-only translation report is built but never published (DEPLOY_EXCLUDE)
        assert (built / "_reports/translations.html").is_file()
        assert not any(p.startswith("_reports/") for p in public_files)
        assert fetch(base + "/_reports/translations.html")[0] == 404
        # the public reads exactly the built bytes, and canonical links point to the public URL
        status, body, headers = fetch(base + "/news/jiangzuo/")
        assert status == 200 and body == (built / "news/jiangzuo/index.html").read_bytes()
        soup = BeautifulSoup(body, "html.parser")
        assert soup.find("link", rel="canonical")["href"] == f"{PUBLIC}/news/jiangzuo/"
        assert headers["Content-Type"].startswith("text/html") and "charset=utf-8" in headers["Content-Type"]
        assert headers["Cache-Control"] == "public, max-age=300"
        webp = next(p for p in scan(built, exclude=["_reports/"]).files if re.search(r"park\.[0-9a-f]{8,}\.\d+\.webp$", p))
        status, _, headers = fetch(f"{base}/{webp}")
        assert status == 200 and headers["Cache-Control"] == "public, max-age=31536000, immutable"
        # precompressed copies for gzip_static, identical once decompressed
        status, body, headers = fetch(base + "/", {"Accept-Encoding": "gzip"})
        assert headers.get("Content-Encoding") == "gzip" and gzip.decompress(body) == (built / "index.html").read_bytes()
        # per-language 404 pages
        status, body, _ = fetch(base + "/ko/no-such-page/")
        assert status == 404 and '<html lang="ko"' in body.decode()
        status, body, _ = fetch(base + "/no-such-page/")
        assert status == 404 and '<html lang="zh-Hans"' in body.decode()

        again = deploy(project, progress=quiet(), **QUIET)
        assert again.plan.upload == [] and again.plan.delete == [] and again.release == first.release

        page = project / "content/news/jianfang.zh.md"
        page.write_text(page.read_text(encoding="utf-8").replace("园区开放。", "园区今天正式开放。"), encoding="utf-8")
        edit = deploy(project, progress=quiet(), **QUIET)
        up = set(edit.plan.upload)
        assert "news/jianfang/index.html" in up
        assert "news/jiangzuo/index.html" not in up and "policy/mianfei/index.html" not in up
        assert "ko/news/jiangzuo/index.html" in edit.plan.keep
        assert not any(p.startswith(("images/", "theme/")) for p in up), up  # assets unchanged
        assert up <= {p for p in up if p.endswith((".html", ".xml", ".json")) or p.startswith("pagefind/")}
        # unchanged files of the new release are hard links to the previous release's
        old_release = web / "releases" / first.release
        assert served_release(web).name == edit.release
        assert os.stat(served_release(web) / webp).st_ino == os.stat(old_release / webp).st_ino
        assert b"\xe4\xbb\x8a\xe5\xa4\xa9" in fetch(base + "/news/jianfang/")[1]  # 今天

        (project / "content/news/jianfang.zh.md").unlink()
        gone = deploy(project, progress=quiet(), **QUIET)
        assert "news/jianfang/index.html" in gone.plan.delete
        assert fetch(base + "/news/jianfang/")[0] == 404
        assert f"{PUBLIC}/news/jianfang/" in gone.urls


def test_release_ids_of_one_second_sort_by_time():
    """Two deploys in the same second: the later release sorts after the earlier one whatever
    their digests (a rollback goes back to the one before by this order)."""
    from jindallae.deploy.release import Entry

    sites = [Manifest({f"p{i}.html": Entry("0" * 64, 1, "text/html")}) for i in range(20)]
    a, b = next((x, y) for x in sites for y in sites if x.digest[:8] > y.digest[:8])  # digests in the wrong order
    early, late = release_id(a, now=1796644620.25), release_id(b, now=1796644620.75)
    assert early[:15] == late[:15] == "20261207T115700"
    assert early < late and re.fullmatch(r"\d{8}T\d{6}\.\d{6}Z-[0-9a-f]{8}", early), (early, late)


def test_rollback_switches_back_in_one_step(tmp_path):
    project, web, port, conf = dir_site(tmp_path)
    with nginx(tmp_path / "nginx", conf, port) as base:
        first = deploy(project, progress=quiet(), **QUIET)
        home_before = fetch(base + "/")[1]
        page = project / "content/news/jiangzuo.zh.md"
        page.write_text(page.read_text(encoding="utf-8").replace("延吉市举办幸福家庭讲座", "延吉市再办幸福家庭讲座"),
                        encoding="utf-8")
        second = deploy(project, progress=quiet(), **QUIET)
        assert fetch(base + "/")[1] != home_before
        proc = run_cli(project, "deploy", "--rollback")
        assert proc.returncode == 0, proc.stderr
        assert f"rolled back from {second.release} to {first.release}" in proc.stdout
        assert served_release(web).name == first.release and fetch(base + "/")[1] == home_before


def test_D7_site_under_a_sub_path(tmp_path):
    """https://…/zt/rkwh/: every link, asset, feed, sitemap entry, search base and QR target
    resolves under the sub-path, fetched from nginx."""
    public = PUBLIC + "/zt/rkwh"
    project, web, port, conf = dir_site(tmp_path, public)
    page = project / "content/news/jianfang.zh.md"
    page.write_text(page.read_text(encoding="utf-8").replace("date: 2026-05-01", "date: 2026-05-01\nposter:\n  formats: [A4]"),
                    encoding="utf-8")
    with nginx(tmp_path / "nginx", conf, port) as base:
        deploy(project, progress=quiet(), **QUIET)
        # the poster's QR code (decoded from the served preview) leads to the page under the sub-path
        import io

        import zxingcpp
        from PIL import Image

        status, png, _ = fetch(base + "/zt/rkwh/news/jianfang/poster-zh-A4.png")
        assert status == 200
        assert [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))] == [public + "/news/jianfang/"]
        root = base + "/zt/rkwh/"
        checked = 0
        for start in (root, root + "ko/", root + "news/jiangzuo/", root + "search/"):
            status, body, _ = fetch(start)
            assert status == 200, start
            soup = BeautifulSoup(body, "html.parser")
            for tag, attr in (("a", "href"), ("link", "href"), ("script", "src"), ("img", "src"), ("source", "srcset")):
                for el in soup.find_all(tag):
                    value = (el.get(attr) or "").split(",")[0].split(" ")[0]
                    if not value or value.startswith(("#", "mailto:", "tel:", "data:")):
                        continue
                    if value.startswith("http"):
                        assert value.startswith(public + "/") or urlsplit(value).hostname != urlsplit(PUBLIC).hostname, value
                        continue
                    url = urljoin(start, value)
                    assert urlsplit(url).path.startswith("/zt/rkwh/"), (start, value)
                    if checked < 120:
                        assert fetch(url)[0] == 200, url
                        checked += 1
        assert checked > 20
        search = BeautifulSoup(fetch(root + "search/")[1], "html.parser").find(id="search")
        assert search["data-base-url"] == "/zt/rkwh/" and search["data-bundle"].startswith("/zt/rkwh/pagefind/")
        sitemap = fetch(root + "sitemap.xml")[1].decode()
        locs = re.findall(r"<loc>([^<]+)</loc>", sitemap)
        assert locs and all(loc.startswith(public + "/") for loc in locs)
        feed = fetch(root + "atom.xml")[1].decode()
        assert f'href="{public}/news/jiangzuo/"' in feed
        assert fetch(base + "/zt/rkwh")[0] in (200, 301)


def test_D3_dry_run_and_the_deletion_limit_change_nothing(tmp_path):
    project, web, port, conf = dir_site(tmp_path, max_deletions=3)
    # Before the first deploy the dry run says the folder will be created (a typo shows), and
    # creates nothing.
    before = []
    deploy(project, dry_run=True, progress=quiet(), log=before.append)
    assert any(f"{web} does not exist yet" in line for line in before) and not web.exists()
    with nginx(tmp_path / "nginx", conf, port) as base:
        first = deploy(project, progress=quiet(), **QUIET)
        for rel in ("news/jiangzuo.zh.md", "news/jiangzuo.ko.md", "news/jianfang.zh.md"):
            (project / "content" / rel).unlink()
        lines = []
        dry = deploy(project, dry_run=True, progress=quiet(), log=lines.append)
        assert dry.dry_run and any(line.startswith("  delete news/jiangzuo/index.html") for line in lines)
        assert served_release(web).name == first.release
        with pytest.raises(DeployError, match="more than the limit of 3"):
            deploy(project, progress=quiet(), **QUIET)
        assert served_release(web).name == first.release and fetch(base + "/news/jiangzuo/")[0] == 200
        forced = deploy(project, force=True, progress=quiet(), **QUIET)
        assert len(forced.plan.delete) > 3 and fetch(base + "/news/jiangzuo/")[0] == 404


def test_failed_verification_switches_back(tmp_path):
    """A target that serves something else than the release (here: verify_url points at a
    server that answers 404) fails the deploy and the earlier release is live again."""
    project, web, port, conf = dir_site(tmp_path)
    with nginx(tmp_path / "nginx", conf, port):
        first = deploy(project, progress=quiet(), **QUIET)
    page = project / "content/news/jiangzuo.zh.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n补充一句。\n", encoding="utf-8")
    with pytest.raises(DeployError) as exc:  # nginx is stopped: nothing answers at verify_url
        deploy(project, progress=quiet(), **QUIET)
    assert "verification failed" in str(exc.value) and f"Release {first.release} is live again" in str(exc.value)
    assert served_release(web).name == first.release


def test_post_deploy_command_gets_the_changed_urls(tmp_path):
    got = tmp_path / "urls.txt"
    script = tmp_path / "refresh.sh"
    script.write_text(f"#!/bin/sh\ncat > {got}\necho \"$JINDALLAE_TARGET $JINDALLAE_RELEASE\" >> {got}\n")
    script.chmod(0o755)
    project, web, port, conf = dir_site(tmp_path, post_deploy=[str(script)])
    with nginx(tmp_path / "nginx", conf, port):
        deploy(project, progress=quiet(), **QUIET)
        page = project / "content/policy/mianfei.zh.md"
        page.write_text(page.read_text(encoding="utf-8").replace("政策正文。", "政策正文已更新。"), encoding="utf-8")
        result = deploy(project, progress=quiet(), **QUIET)
    lines = got.read_text().splitlines()
    assert lines[-1] == f"web {result.release}"
    urls = lines[:-1]
    assert f"{PUBLIC}/policy/mianfei/" in urls and f"{PUBLIC}/news/jiangzuo/" not in urls
    assert all(u.startswith(PUBLIC + "/") for u in urls) and urls == result.urls


def test_zip_package_holds_exactly_the_release(tmp_path):
    project = deploy_project(tmp_path / "proj", {"pkg": {"type": "zip", "path": "dist/rkwh-{release}.zip", "keep": 2}})
    results = []
    for n in range(3):
        page = project / "content/news/jianfang.zh.md"
        page.write_text(page.read_text(encoding="utf-8") + f"\n第{n}次。\n", encoding="utf-8")
        results.append(deploy(project, progress=quiet(), **QUIET))
    zips = sorted((project / "dist").glob("rkwh-*.zip"))
    assert [z.name for z in zips] == [f"rkwh-{r.release}.zip" for r in results[1:]]  # the newest 2 kept
    manifest = scan(project / "build-publish", exclude=["_reports/"])
    with zipfile.ZipFile(zips[-1]) as zf:
        assert sorted(zf.namelist()) == sorted(manifest.files)
        assert zf.read("index.html") == (project / "build-publish/index.html").read_bytes()
        assert {i.date_time for i in zf.infolist()} == {(1980, 1, 1, 0, 0, 0)}


KILL_DEPLOY = r"""
import sys
from pathlib import Path
from jindallae.deploy.run import deploy
from jindallae.progress import Progress
deploy(Path(sys.argv[1]), progress=Progress("off"), log=lambda line: None, build_site=False)
"""


def test_D5_kill_9_during_a_dir_deploy_leaves_old_or_new(tmp_path):
    """Fault injection, bounded: deploys killed at several moments; after each the served home
    page, article and its picture all belong to one release (old or new), never a mix."""
    project, web, port, conf = dir_site(tmp_path)
    with nginx(tmp_path / "nginx", conf, port) as base:
        deploy(project, progress=quiet(), **QUIET)
        built = project / "build-publish"
        page = project / "content/news/jiangzuo.zh.md"
        for n, delay in enumerate((0.05, 0.15, 0.3, 0.5, 0.8)):
            page.write_text(page.read_text(encoding="utf-8") + f"\n第{n}段。\n", encoding="utf-8")
            from jindallae.build import build
            build(project, None, built, project / "publishconf.py", progress=False, force=True)
            new = {p: (built / p).read_bytes() for p in ("index.html", "news/jiangzuo/index.html")}
            old = {p: (served_release(web) / p).read_bytes() for p in new}
            proc = subprocess.Popen([sys.executable, "-c", KILL_DEPLOY, str(project)], start_new_session=True,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(delay)
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            served = {p: fetch(f"{base}/{p}")[1] for p in new}
            assert served in (old, new), n
            soup = BeautifulSoup(served["news/jiangzuo/index.html"], "html.parser")
            for img in soup.find_all("img"):
                assert fetch(urljoin(base + "/news/jiangzuo/", img["src"]))[0] == 200
        final = deploy(project, progress=quiet(), **QUIET)
        assert not list((web / "releases").glob("*.partial"))
        assert fetch(base + "/news/jiangzuo/")[1] == (built / "news/jiangzuo/index.html").read_bytes()
        assert served_release(web).name == final.release


def test_D4_plan_order_assets_pages_homes_then_deletions():
    def m(**files):
        from jindallae.deploy.release import Entry
        return Manifest({p.replace("__", "/").replace("_html", ".html").replace("_css", ".css"): Entry(h, 1, "x")
                         for p, h in files.items()})
    old = m(index_html="a", news__a__index_html="a", news__gone__index_html="a", theme__old_css="a")
    new = m(index_html="b", ko__index_html="b", news__a__index_html="b", theme__site_css="b", news__b__index_html="b")
    plan = make_plan(old, new)
    assert plan.upload == ["theme/site.css", "news/a/index.html", "news/b/index.html", "index.html", "ko/index.html"]
    assert plan.delete == ["news/gone/index.html", "theme/old.css"]


def test_verification_that_reaches_no_server_says_so_and_how_to_fix_it(tmp_path):
    """A deploy whose public address does not answer from this machine names the connection
    error and points at verify_url, instead of "HTTP -1"."""
    from jindallae.deploy.release import VerifyError, verify

    release = tmp_path / "release"
    release.mkdir()
    (release / "index.html").write_text("<p>首页</p>", encoding="utf-8")
    port = free_port()  # nothing listens there
    with pytest.raises(VerifyError) as caught:
        verify(f"http://127.0.0.1:{port}/zt/rkwh", release, ["index.html"], attempts=1, timeout=2)
    text = str(caught.value)
    assert "HTTP -1" not in text
    assert f"index.html: no answer from http://127.0.0.1:{port}/zt/rkwh/index.html" in text
    assert "refused" in text.lower()
    assert '"verify_url"' in text


def test_unwritable_target_folder_is_one_line_not_a_traceback(tmp_path):
    """A dir target the deploy cannot create (a path below a file) fails with one line naming
    the step and the server's answer; nothing is published."""
    blocker = tmp_path / "srv"
    blocker.write_text("a file where the folder should be", encoding="utf-8")
    project = deploy_project(tmp_path / "proj", {"web": {"type": "dir", "path": str(blocker / "rkwh")}})
    proc = run_cli(project, "deploy")
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert lines[-1].startswith("Deploy failed: preparing the releases folder failed")
    assert "the live site was not changed" in lines[-1]


def test_placeholder_site_details_are_reported_by_a_production_build(tmp_path):
    """The starter's fictitious ICP / public-security numbers, site code, sample badge and 示例
    texts are named, with the setting to change, when a site is built for its public address
    (deploy and the CMS publish log show build warnings); real details give no such warning,
    and a local preview build (localhost) does not nag."""
    from jindallae.build import build

    project = deploy_project(tmp_path / "proj", {"web": {"type": "zip", "path": str(tmp_path / "site.zip")}})
    result = build(project, output=project / "build-publish", settings_file=project / "publishconf.py", progress=False)
    named = {w.split(":")[1].strip() for w in result.warnings if w.startswith("publishconf.py: SITE_")}
    assert named == {"SITE_ICP", "SITE_PSB", "SITE_GOV_CODE", "SITE_GOV_BADGE", "SITE_OFFICE", "SITE_ORGANIZER",
                     "SITE_OPERATOR", "SITE_CONTACT"}
    assert any("ICP备案号" in w for w in result.warnings)
    local = build(project, output=project / "build", progress=False)
    assert not any("SITE_" in w for w in local.warnings)

    real = (project / "publishconf.py").read_text(encoding="utf-8") + """
SITE_OFFICE = {"zh": "延边州人口文化宣传中心", "ko": "연변주 인구문화선전센터"}
SITE_ORGANIZER = "延边朝鲜族自治州卫生健康委员会"
SITE_OPERATOR = "延边州人口文化宣传中心"
SITE_CONTACT = {"phone": "0433-2512345", "email": "rkwh@yanbian.gov.cn"}
SITE_ICP = "吉ICP备12345678号-1"
SITE_PSB = {"number": "吉公网安备22010202000123号", "url": "https://beian.mps.gov.cn/#/query/webSearch?code=22010202000123"}
SITE_GOV_CODE = "2200000001"
SITE_GOV_BADGE = {"image": "theme/img/emblem.svg", "url": "https://bszs.conac.cn/sitename?method=show&id=5A3D6E2B1C4F4A8E9B7D6C5E4F3A2B1C"}
"""
    (project / "publishconf.py").write_text(real, encoding="utf-8")
    again = build(project, output=project / "build-publish", settings_file=project / "publishconf.py", progress=False)
    assert not any("SITE_" in w for w in again.warnings), again.warnings
