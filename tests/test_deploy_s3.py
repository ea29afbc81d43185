"""Issue 12: the ``s3`` deploy target against moto's standalone S3 server on 127.0.0.1 (started by
the tests, dummy credentials from the environment only): what is uploaded and in which order,
object headers and metadata, deletions last and their limit, precompression, pending deletions
after an interruption, post-deploy URLs, and kill -9 during a deploy."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup

from deploy_helpers import PUBLIC, deploy_project, fetch, run_cli
from jindallae.deploy.base import DeployError
from jindallae.deploy.release import file_sha256, public_url_of, scan
from jindallae.deploy.run import deploy
from jindallae.deploy.s3_target import MANIFEST_KEY, S3Target
from jindallae.progress import Progress
from server_helpers import kill_when, moto_s3
from site_helpers import jpeg_bytes

pytest.importorskip("boto3")
pytest.importorskip("moto")

BUCKET = "rkwh"
QUIET = dict(log=lambda line: None)


def quiet() -> Progress:
    return Progress("off")


@pytest.fixture(scope="module")
def moto_endpoint(tmp_path_factory):
    """moto's S3 server on 127.0.0.1 for this module's tests, stopped after the last one."""
    with moto_s3(tmp_path_factory.mktemp("moto")) as endpoint:
        yield endpoint


@pytest.fixture
def s3(moto_endpoint, tmp_path, monkeypatch):
    """A new, publicly readable bucket on moto's server; dummy credentials in the environment
    (never in settings). Yields ``(endpoint, boto3 client)``; the bucket and everything in it
    is removed at teardown."""
    import boto3

    for key in list(os.environ):
        if key.startswith("AWS_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    client = boto3.client("s3", endpoint_url=moto_endpoint, aws_access_key_id="testing",
                          aws_secret_access_key="testing", region_name="us-east-1")
    client.create_bucket(Bucket=BUCKET)
    client.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                       "Resource": f"arn:aws:s3:::{BUCKET}/*"}]}))
    try:
        yield moto_endpoint, client
    finally:
        keys = list(objects(client))
        for start in range(0, len(keys), 1000):
            client.delete_objects(Bucket=BUCKET, Delete={"Objects": [{"Key": k} for k in keys[start:start + 1000]]})
        client.delete_bucket(Bucket=BUCKET)


def s3_site(tmp_path: Path, endpoint: str, prefix: str = "", **extra) -> Path:
    target = {"type": "s3", "bucket": BUCKET, "endpoint": endpoint, "addressing_style": "path",
              "verify_url": f"{endpoint}/{BUCKET}" + (f"/{prefix}" if prefix else ""), **extra}
    if prefix:
        target["prefix"] = prefix
    return deploy_project(tmp_path / "proj", {"oss": target})


def objects(client, prefix: str = "") -> dict[str, dict]:
    """``{key: listing entry}`` of the bucket (under ``prefix``)."""
    found = {}
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=prefix):
        for item in page.get("Contents", []):
            found[item["Key"]] = item
    return found


def live_manifest(client, prefix: str = "") -> dict:
    return json.loads(client.get_object(Bucket=BUCKET, Key=prefix + MANIFEST_KEY)["Body"].read())


class Recorder:
    """Wraps a boto3 client: records ``(operation, keys)`` of every call in ``calls`` and can
    make calls fail: the next ``fail[operation]`` calls of an operation, and every call for
    which ``rules[0](operation, keys)`` is true."""

    def __init__(self, client, calls: list, fail: dict, rules: list) -> None:
        self._client, self._calls, self._fail, self._rules = client, calls, fail, rules

    def __getattr__(self, name):
        attr = getattr(self._client, name)
        if not callable(attr):
            return attr

        def call(*args, **kwargs):
            deleting = kwargs.get("Delete", {}).get("Objects", [])
            keys = [kwargs["Key"]] if "Key" in kwargs else [o["Key"] for o in deleting]
            if self._rules and self._rules[0](name, keys):
                from botocore.exceptions import EndpointConnectionError

                raise EndpointConnectionError(endpoint_url="http://127.0.0.1 (injected failure)")
            self._calls.append((name, keys))
            if self._fail.get(name, 0) > 0:
                self._fail[name] -= 1
                from botocore.exceptions import ClientError

                raise ClientError({"Error": {"Code": "InternalError", "Message": "injected failure"}},
                                  "".join(w.title() for w in name.split("_")))
            return attr(*args, **kwargs)

        return call


@pytest.fixture
def calls(monkeypatch):
    """Every S3 call of in-process deploys, in order: ``calls.log`` and ``calls.fail``."""
    log: list = []
    fail: dict = {}
    rules: list = []
    real = S3Target.client

    monkeypatch.setattr(S3Target, "client", property(lambda self: Recorder(real.fget(self), log, fail, rules)))

    class Calls:
        def __init__(self):
            self.log, self.fail, self.rules = log, fail, rules

        def puts(self, since: int = 0) -> list[str]:
            return [keys[0] for name, keys in self.log[since:] if name == "put_object"]

    return Calls()


def edit(project: Path, rel: str, old: str, new: str) -> None:
    page = project / "content" / rel
    text = page.read_text(encoding="utf-8")
    assert old in text
    page.write_text(text.replace(old, new), encoding="utf-8")


# ---------------------------------------------------------------------------------------------


def test_first_unchanged_and_one_edit(tmp_path, s3, calls):
    endpoint, client = s3
    project = s3_site(tmp_path, endpoint)
    built = project / "build-publish"

    first = deploy(project, progress=quiet(), **QUIET)
    manifest = scan(built, exclude=["_reports/"])
    assert first.plan.first and set(first.plan.upload) == set(manifest.files) and first.verified >= 5
    site_puts = [k for k in calls.puts() if k != MANIFEST_KEY]
    assert sorted(site_puts) == sorted(manifest.files)  # each file once
    assert set(objects(client)) == set(manifest.files) | {MANIFEST_KEY}
    # anyone reads exactly the built bytes
    for path in ("index.html", "ko/news/jiangzuo/index.html", "atom.xml", "theme/css/site.css"):
        status, body, _ = fetch(f"{endpoint}/{BUCKET}/{path}")
        assert status == 200 and body == (built / path).read_bytes(), path
    # headers and our own hash on every object
    webp = next(p for p in manifest.files if re.search(r"park\.[0-9a-f]{8,}\.800\.webp$", p))
    for path, entry in manifest.files.items():
        head = client.head_object(Bucket=BUCKET, Key=path)
        assert head["Metadata"]["sha256"] == entry.sha256 == file_sha256(built / path), path
        assert head["ContentType"] == entry.type, path
        assert "ContentEncoding" not in head, path  # precompress is off by default
    page = client.head_object(Bucket=BUCKET, Key="news/jiangzuo/index.html")
    assert page["ContentType"] == "text/html; charset=utf-8" and page["CacheControl"] == "public, max-age=300"
    assert client.head_object(Bucket=BUCKET, Key="atom.xml")["CacheControl"] == "public, max-age=300"
    image = client.head_object(Bucket=BUCKET, Key=webp)
    assert image["ContentType"] == "image/webp" and image["CacheControl"] == "public, max-age=31536000, immutable"
    data = live_manifest(client)
    assert data["release"] == first.release and "pending_delete" not in data

    # nothing changed: nothing sent, and the decision reads only our manifest (no ETag, no listing)
    mark = len(calls.log)
    before = objects(client)
    again = deploy(project, progress=quiet(), **QUIET)
    assert len(again.plan.upload) == 0 and again.plan.delete == [] and again.release == first.release
    assert calls.log[mark:] == [("get_object", [MANIFEST_KEY])]
    assert objects(client) == before

    time.sleep(1.1)  # LastModified has a one-second resolution
    edit(project, "news/jianfang.zh.md", "园区开放。", "园区今天正式开放。")
    mark = len(calls.log)
    one = deploy(project, progress=quiet(), **QUIET)
    up = set(one.plan.upload)
    assert "news/jianfang/index.html" in up
    assert {"news/jiangzuo/index.html", "ko/news/jiangzuo/index.html", "policy/mianfei/index.html", webp,
            "theme/css/site.css"} <= set(one.plan.keep)
    lists = re.compile(r"^(ko/)?((news|tags|archives|calendar)/.*index\.html|index\.html)$")
    assert all(p == "news/jianfang/index.html" or lists.match(p) or p.endswith((".xml", ".ics", ".json"))
               or p.startswith("pagefind/") for p in up), up
    assert sorted(k for k in calls.puts(mark) if k != MANIFEST_KEY) == sorted(up)  # exactly the plan, once each
    after = objects(client)
    changed = {k for k in after if k not in before or after[k]["LastModified"] != before[k]["LastModified"]}
    assert changed == up | {MANIFEST_KEY}  # nothing else was rewritten
    assert set(after) == set(scan(built, exclude=["_reports/"]).files) | {MANIFEST_KEY}  # the pages' old search files are gone
    assert "今天正式开放".encode() in fetch(f"{endpoint}/{BUCKET}/news/jianfang/index.html")[1]
    # deciding never reads an object (no HEAD for an ETag, no listing): only our manifest
    assert not any(name in ("head_object", "list_objects", "list_objects_v2") for name, _ in calls.log)


def test_ordering_deletions_last_and_their_limit(tmp_path, s3, calls):
    endpoint, client = s3
    project = s3_site(tmp_path, endpoint, max_deletions=1)
    first = deploy(project, progress=quiet(), **QUIET)
    before = objects(client)
    # two articles withdrawn: more deletions than max_deletions: refused, nothing touched
    (project / "content/news/jianfang.zh.md").unlink()
    (project / "content/policy/mianfei.zh.md").unlink()
    mark = len(calls.log)
    with pytest.raises(DeployError) as exc:
        deploy(project, progress=quiet(), **QUIET)
    assert "more than the limit of 1" in str(exc.value) and "Nothing was changed" in str(exc.value)
    assert [name for name, _ in calls.log[mark:]] == ["get_object"]
    assert objects(client) == before and live_manifest(client)["release"] == first.release
    proc = run_cli(project, "deploy", "--no-build", timeout=120)
    assert proc.returncode == 1 and "more than the limit of 1" in proc.stderr, proc.stderr
    assert objects(client) == before

    mark = len(calls.log)
    forced = deploy(project, force=True, progress=quiet(), **QUIET)
    gone = {"news/jianfang/index.html", "policy/mianfei/index.html"}
    assert gone <= set(forced.plan.delete)
    ops = calls.log[mark:]
    names = [name for name, _ in ops]
    # uploads in the order that never shows a page without its assets: assets, pages, homes,
    # then the manifest; the deletions come after all of them (and after verification)
    puts = [keys[0] for name, keys in ops if name == "put_object" and keys[0] != MANIFEST_KEY]
    kinds = ["home" if re.fullmatch(r"(ko/)?index\.html", p) else "page" if p.endswith(".html") else "asset"
             for p in puts]
    assert kinds == sorted(kinds, key=["asset", "page", "home"].index), puts
    deletes = [i for i, name in enumerate(names) if name == "delete_objects"]
    assert len(deletes) == 1 and deletes[0] > max(i for i, name in enumerate(names) if name == "put_object"
                                                   and ops[i][1] != [MANIFEST_KEY])
    assert gone <= set(ops[deletes[0]][1])
    # the manifest named the deletions as pending before they happened, and not after
    assert ops[deletes[0] - 1][0] == "put_object" and ops[deletes[0] - 1][1] == [MANIFEST_KEY]
    assert ops[-1] == ("put_object", [MANIFEST_KEY]) and "pending_delete" not in live_manifest(client)
    assert not gone & set(objects(client))
    assert fetch(f"{endpoint}/{BUCKET}/news/jianfang/index.html")[0] in (403, 404)
    assert fetch(f"{endpoint}/{BUCKET}/news/jiangzuo/index.html")[0] == 200


def test_prefix_keeps_to_its_folder(tmp_path, s3):
    endpoint, client = s3
    client.put_object(Bucket=BUCKET, Key="other/keep.txt", Body=b"another site's file")
    client.put_object(Bucket=BUCKET, Key="zt/rkwh-old/index.html", Body=b"a neighbour with a similar name")
    project = s3_site(tmp_path, endpoint, prefix="zt/rkwh")
    first = deploy(project, progress=quiet(), **QUIET)
    manifest = scan(project / "build-publish", exclude=["_reports/"])
    ours = objects(client, "zt/rkwh/")
    assert set(ours) == {f"zt/rkwh/{p}" for p in manifest.files} | {f"zt/rkwh/{MANIFEST_KEY}"}
    assert live_manifest(client, "zt/rkwh/")["release"] == first.release
    assert fetch(f"{endpoint}/{BUCKET}/zt/rkwh/news/jiangzuo/index.html")[1] == \
        (project / "build-publish/news/jiangzuo/index.html").read_bytes()
    (project / "content/news/jianfang.zh.md").unlink()
    gone = deploy(project, progress=quiet(), **QUIET)
    assert "news/jianfang/index.html" in gone.plan.delete
    assert "zt/rkwh/news/jianfang/index.html" not in objects(client)
    assert {"other/keep.txt", "zt/rkwh-old/index.html"} <= set(objects(client))


def test_precompressed_objects_are_verified(tmp_path, s3):
    endpoint, client = s3
    project = s3_site(tmp_path, endpoint, precompress=True)
    built = project / "build-publish"
    first = deploy(project, progress=quiet(), **QUIET)
    assert first.verified >= 5  # verification fetched the gzip objects and compared the bytes
    obj = client.get_object(Bucket=BUCKET, Key="news/jiangzuo/index.html")
    raw = obj["Body"].read()
    assert obj["ContentEncoding"] == "gzip" and obj["ContentType"] == "text/html; charset=utf-8"
    assert gzip.decompress(raw) == (built / "news/jiangzuo/index.html").read_bytes()
    assert obj["Metadata"]["sha256"] == file_sha256(built / "news/jiangzuo/index.html")  # of the page, not the gzip
    # the ETag (an MD5 of the stored gzip bytes) says nothing about the page: an unchanged
    # deploy still sends nothing
    assert obj["ETag"].strip('"') != hashlib.md5((built / "news/jiangzuo/index.html").read_bytes()).hexdigest()
    webp = next(p for p in scan(built, exclude=["_reports/"]).files if p.endswith(".800.webp"))
    assert "ContentEncoding" not in client.head_object(Bucket=BUCKET, Key=webp)  # pictures are compressed already
    status, body, headers = fetch(f"{endpoint}/{BUCKET}/index.html")
    assert status == 200 and headers.get("content-encoding", headers.get("Content-Encoding")) == "gzip"
    assert gzip.decompress(body) == (built / "index.html").read_bytes()
    assert deploy(project, progress=quiet(), **QUIET).plan.upload == []
    # turning precompression off changes every object's encoding: all are sent again
    settings = project / "publishconf.py"
    settings.write_text(settings.read_text(encoding="utf-8").replace("'precompress': True", "'precompress': False"),
                        encoding="utf-8")
    plain = deploy(project, progress=quiet(), **QUIET)
    assert set(plain.plan.upload) == set(scan(built, exclude=["_reports/"]).files) and plain.plan.delete == []
    assert "ContentEncoding" not in client.head_object(Bucket=BUCKET, Key="news/jiangzuo/index.html")
    assert set(objects(client)) == set(scan(built, exclude=["_reports/"]).files) | {MANIFEST_KEY}


def test_interrupted_deletion_is_finished_by_the_next_deploy(tmp_path, s3, calls):
    endpoint, client = s3
    project = s3_site(tmp_path, endpoint)
    deploy(project, progress=quiet(), **QUIET)
    (project / "content/news/jianfang.zh.md").unlink()
    calls.fail["delete_objects"] = 1
    with pytest.raises(DeployError) as exc:
        deploy(project, progress=quiet(), **QUIET)
    message = str(exc.value)
    assert "is live and verified, but deleting" in message and "the next deploy deletes them" in message, message
    assert "news/jianfang/index.html" in objects(client)  # not deleted yet...
    data = live_manifest(client)
    assert "news/jianfang/index.html" in data["pending_delete"]  # ...but remembered
    assert "news/jianfang/index.html" not in data["files"]
    # the next deploy has nothing new to send, and still finishes the deletions
    mark = len(calls.log)
    done = deploy(project, progress=quiet(), **QUIET)
    assert done.plan.upload == [] and "news/jianfang/index.html" in done.plan.delete
    assert calls.puts(mark) == [MANIFEST_KEY, MANIFEST_KEY]
    assert "news/jianfang/index.html" not in objects(client)
    assert "pending_delete" not in live_manifest(client)
    assert fetch(f"{endpoint}/{BUCKET}/news/jianfang/index.html")[0] in (403, 404)


def test_a_deleted_page_still_served_is_reported(tmp_path, s3, monkeypatch):
    """The storage acknowledges the deletion but the page is still answered (as from a cache in
    front of it): the deploy says so instead of reporting success."""
    endpoint, client = s3
    project = s3_site(tmp_path, endpoint)
    deploy(project, progress=quiet(), **QUIET)
    (project / "content/news/jianfang.zh.md").unlink()
    monkeypatch.setattr(S3Target, "finish", lambda self, plan, release: list(plan.delete))  # acknowledged, kept
    with pytest.raises(DeployError) as exc:
        deploy(project, progress=quiet(), **QUIET)
    message = str(exc.value)
    assert "is live, but deleted files are still served" in message and "news/jianfang/index.html" in message, message


def test_interrupted_upload_leaves_nothing_stale(tmp_path, s3, calls):
    """A deploy that stops halfway (here: the storage fails after some uploads) has sent objects
    the manifest did not name yet. If the next release withdraws them or has other bytes for
    them, the next deploy deletes or replaces them: a withdrawn article does not stay online."""
    endpoint, client = s3
    project = s3_site(tmp_path, endpoint)
    deploy(project, progress=quiet(), **QUIET)
    original = (project / "content/news/jianfang.zh.md").read_text(encoding="utf-8")
    home = fetch(f"{endpoint}/{BUCKET}/index.html")[1]
    # a new article and an edit; the storage fails after the new article's page was sent
    (project / "content/news/xinwen.zh.md").write_text(
        "---\ntitle: 撤回的新闻\ndate: 2026-06-20\n---\n\n这篇新闻稍后撤回。\n", encoding="utf-8")
    edit(project, "news/jianfang.zh.md", "园区开放。", "园区今天正式开放。")
    from jindallae.build import build

    build(project, None, project / "build-publish", project / "publishconf.py", progress=False)
    pages = [p for p in scan(project / "build-publish", exclude=["_reports/"]).files if p.endswith(".html")]
    order = sorted(pages, key=lambda p: (p in ("index.html", "ko/index.html"), p))
    assert order.index("news/xinwen/index.html") > order.index("news/jianfang/index.html")
    # the storage stops answering right after the new article's page was sent
    sent = lambda: {keys[0] for name, keys in calls.log if name == "put_object"}  # noqa: E731
    calls.rules.append(lambda name, keys: name == "put_object" and keys != [MANIFEST_KEY]
                       and "news/xinwen/index.html" in sent())
    with pytest.raises(DeployError) as exc:
        deploy(project, build_site=False, progress=quiet(), **QUIET)
    calls.rules.clear()
    message = str(exc.value)
    assert "failed: cannot reach" in message and "deploy again to finish" in message, message
    assert {"news/xinwen/index.html", "news/jianfang/index.html"} <= sent()
    assert "news/xinwen/index.html" in objects(client)
    assert fetch(f"{endpoint}/{BUCKET}/index.html")[1] == home  # home pages go last: not sent yet
    assert "news/xinwen/index.html" in live_manifest(client)["pending_delete"]

    # the article is withdrawn and the edit undone before the next deploy
    (project / "content/news/xinwen.zh.md").unlink()
    (project / "content/news/jianfang.zh.md").write_text(original, encoding="utf-8")
    final = deploy(project, progress=quiet(), **QUIET)
    manifest = scan(project / "build-publish", exclude=["_reports/"])
    assert "news/xinwen/index.html" in final.plan.delete and "news/jianfang/index.html" in final.plan.upload
    assert set(objects(client)) == set(manifest.files) | {MANIFEST_KEY}
    assert fetch(f"{endpoint}/{BUCKET}/news/xinwen/index.html")[0] in (403, 404)
    assert fetch(f"{endpoint}/{BUCKET}/news/jianfang/index.html")[1] == \
        (project / "build-publish/news/jianfang/index.html").read_bytes()


def test_post_deploy_gets_exactly_the_changed_urls(tmp_path, s3):
    endpoint, client = s3
    got = tmp_path / "urls.txt"
    script = tmp_path / "cdn-refresh.sh"
    script.write_text(f"#!/bin/sh\ncat > {got}\n", encoding="utf-8")
    script.chmod(0o755)
    project = s3_site(tmp_path, endpoint, post_deploy=[str(script)])
    deploy(project, progress=quiet(), **QUIET)
    got.unlink()
    edit(project, "policy/mianfei.zh.md", "政策正文。", "政策正文已更新。")
    result = deploy(project, progress=quiet(), **QUIET)
    urls = got.read_text(encoding="utf-8").splitlines()
    expected = sorted({public_url_of(PUBLIC, p) for p in result.plan.upload + result.plan.delete
                       if p.endswith((".html", ".xml", ".ics"))})
    assert urls == expected == result.urls
    assert f"{PUBLIC}/policy/mianfei/" in urls and f"{PUBLIC}/news/jiangzuo/" not in urls
    assert all(u.startswith(PUBLIC + "/") for u in urls)


def test_missing_credentials_are_named(tmp_path, s3, monkeypatch):
    endpoint, client = s3
    project = s3_site(tmp_path, endpoint)
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    proc = run_cli(project, "deploy", timeout=120)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert "no S3 credentials" in proc.stderr and "AWS_ACCESS_KEY_ID" in proc.stderr, proc.stderr
    assert "nothing was changed" in proc.stderr
    assert set(objects(client)) == set()


def local_assets(page_key: str, html: bytes) -> set[str]:
    """Keys of the images, style sheets and scripts a page (stored at ``page_key``) loads."""
    soup = BeautifulSoup(html, "html.parser")
    found = set()
    for tag, attr in (("img", "src"), ("img", "srcset"), ("source", "srcset"), ("link", "href"), ("script", "src")):
        for el in soup.find_all(tag):
            if tag == "link" and not {"stylesheet", "icon", "preload", "modulepreload"} & set(el.get("rel") or []):
                continue
            for candidate in (el.get(attr) or "").split(","):
                value = candidate.strip().split(" ")[0]
                if not value or value.startswith(("data:", "#")) or urlsplit(value).scheme:
                    continue
                path = urlsplit(urljoin("/" + page_key, value)).path.lstrip("/")
                found.add(path + "index.html" if path.endswith("/") or not path else path)
    return found


def test_kill_9_during_an_s3_deploy_never_shows_a_page_without_its_assets(tmp_path, s3):
    """Fault injection, bounded (5 kills): `jindallae deploy` killed with SIGKILL while it starts,
    as soon as it records the deploy in the manifest (uploads begin) and at three moments
    after. After each, every page in the bucket finds every image, style sheet and script it
    loads; the next deploy leaves exactly the release in the bucket (nothing stale)."""
    from jindallae.build import build

    endpoint, client = s3
    project = s3_site(tmp_path, endpoint)
    built = project / "build-publish"
    cmd = [sys.executable, "-m", "jindallae.cli", "--project", str(project), "deploy", "--no-build", "--no-progress"]
    deploy(project, progress=quiet(), **QUIET)
    kills = checked = 0
    for n in range(1, 6):
        # a new picture (new fingerprinted names), new words, and another new article each time
        (project / "content/images/park.jpg").write_bytes(jpeg_bytes(color=(40 * n, 90, 160), size=(1000, 600)))
        edit(project, "news/jiangzuo.zh.md", "讲座在人民公园举行。", f"讲座在人民公园举行。第{n}次。\n\n讲座在人民公园举行。")
        (project / f"content/news/extra{n}.zh.md").write_text(
            f"---\ntitle: 第{n}条新闻\ndate: 2026-07-0{n}\n---\n\n![公园](../images/park.jpg)\n", encoding="utf-8")
        if n > 2:  # and a withdrawal
            (project / f"content/news/extra{n - 2}.zh.md").unlink()
        build(project, None, built, project / "publishconf.py", progress=False)
        before = client.get_object(Bucket=BUCKET, Key=MANIFEST_KEY)["Body"].read()

        def recorded() -> bool:
            return client.get_object(Bucket=BUCKET, Key=MANIFEST_KEY)["Body"].read() != before

        ready, delay = {1: (lambda: True, 0.5), 2: (recorded, 0.0), 3: (recorded, 0.1), 4: (recorded, 0.25),
                        5: (recorded, 0.5)}[n]
        victim = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                  start_new_session=True)
        try:
            kills += kill_when(victim, ready, delay)
            victim.wait(60)
        finally:
            if victim.poll() is None:
                os.killpg(victim.pid, signal.SIGKILL)
                victim.wait(10)
        keys = set(objects(client))
        for key in sorted(k for k in keys if k.endswith(".html")):
            html = client.get_object(Bucket=BUCKET, Key=key)["Body"].read()
            missing = local_assets(key, html) - keys
            assert not missing, (n, key, missing)
            checked += 1
    assert kills >= 3, f"only {kills} deploys were still running when killed"
    assert checked > 100
    final = deploy(project, build_site=False, progress=quiet(), **QUIET)
    manifest = scan(built, exclude=["_reports/"])
    assert set(objects(client)) == set(manifest.files) | {MANIFEST_KEY}  # nothing stale, nothing missing
    assert live_manifest(client)["release"] == final.release and "pending_delete" not in live_manifest(client)
    for path in ("index.html", "news/jiangzuo/index.html", "news/extra5/index.html"):
        assert fetch(f"{endpoint}/{BUCKET}/{path}")[1] == (built / path).read_bytes()


def test_D1_a_multipart_etag_never_causes_an_upload(s3, tmp_path):
    """An object uploaded in parts has an ETag that is not its MD5 ("<md5 of md5s>-2"); the next
    deploy decides by our own SHA-256 (manifest and x-amz-meta-sha256), so nothing is sent."""
    from boto3.s3.transfer import TransferConfig

    endpoint, client = s3
    project = s3_site(tmp_path, endpoint)
    deploy(project, progress=quiet(), log=lambda line: None)
    built = project / "build-publish"
    path = "news/jiangzuo/index.html"
    big = max(scan(built, exclude=["_reports/"]).files.items(), key=lambda kv: kv[1].size)[0]  # the largest file, in parts
    client.upload_file(str(built / big), BUCKET, big, ExtraArgs={"Metadata": {"sha256": file_sha256(built / big)}},
                       Config=TransferConfig(multipart_threshold=1, multipart_chunksize=5 * 1024 * 1024))
    etag = client.head_object(Bucket=BUCKET, Key=big)["ETag"].strip('"')
    assert "-" in etag and etag != hashlib.md5((built / big).read_bytes()).hexdigest()  # a multipart ETag
    again = deploy(project, progress=quiet(), log=lambda line: None)
    assert again.plan.upload == [] and big in again.plan.keep and path in again.plan.keep
