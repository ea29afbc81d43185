#!/usr/bin/env python3
"""Publishing numbers for ``make bench`` (issue 12): approve -> live, verified on the target.

For the starter site and the benchmark corpus (``--n`` pairs, default 1000; ``--n 0`` skips it),
against real servers started here on 127.0.0.1 (the same as the tests: nginx for ``dir``, an
OpenSSH server + nginx for ``rsync``, moto's S3 server for ``s3``):

* the production build (cold, then after one article changed);
* a full first deploy per target type (upload + verify), with files and bytes sent;
* one article changed: rebuild + deploy + verify per target type ("approve -> live" minus the
  editorial checks), with the files and bytes uploaded.

Prints a table and writes ``bench-out/deploy.json``.
Usage: ``.venv/bin/python scripts/bench_deploy.py [--n 1000] [--targets dir,rsync,s3]``
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # the tests' server launchers (nginx, sshd, moto)
sys.path.insert(0, str(ROOT / "scripts"))
RESULTS = ROOT / "bench-out" / "deploy.json"
PUBLIC = "https://rkwh.yanbian.gov.cn"


def project_for(work: Path, content: Path) -> Path:
    from site_helpers import make_project

    project = make_project(work / "project")
    shutil.rmtree(project / "content")
    shutil.copytree(content, project / "content")
    return project


def write_publishconf(project: Path, targets: dict) -> None:
    (project / "publishconf.py").write_text("from pelicanconf import *  # noqa\n"
                                            f"JINDALLAE_PUBLIC_URL = {PUBLIC!r}\n"
                                            f"DEPLOY_TARGETS = {targets!r}\n"
                                            "DEPLOY_MAX_DELETIONS = 100000\n", encoding="utf-8")


def edit_one_article(content: Path) -> Path:
    article = sorted((content / "news").glob("*.zh.md"))[0] if (content / "news").is_dir() else \
        sorted(content.rglob("*.zh.md"))[0]
    article.write_text(article.read_text(encoding="utf-8") + "\n\n基准测试：修改一句话。\n", encoding="utf-8")
    return article


def measure(name: str, content: Path, work: Path, kinds: list[str]) -> dict:
    from deploy_helpers import free_port, nginx
    from jindallae.build import build
    from jindallae.deploy.nginx import nginx_config
    from jindallae.deploy.run import deploy, production_settings
    from jindallae.progress import Progress
    from server_helpers import moto_s3, sshd

    project = project_for(work, content)
    out: dict = {"corpus": name}
    with ExitStack() as stack:
        targets: dict = {}
        if "dir" in kinds:
            port = free_port()
            targets["web"] = {"type": "dir", "path": str(work / "srv-dir"), "verify_url": f"http://127.0.0.1:{port}"}
            out["_dir_port"] = port
        if "rsync" in kinds:
            server = stack.enter_context(sshd(work / "sshd"))
            port = free_port()
            targets["portal"] = server.target(work / "srv-rsync", verify_url=f"http://127.0.0.1:{port}")
            out["_rsync_port"] = port
        if "s3" in kinds:
            endpoint = stack.enter_context(moto_s3(work / "moto"))
            os.environ.update(AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench", AWS_DEFAULT_REGION="us-east-1")
            import boto3

            client = boto3.client("s3", endpoint_url=endpoint)
            client.create_bucket(Bucket="rkwh")
            # public read, as a website bucket behind a CDN is: the verification fetches anonymously
            client.put_bucket_policy(Bucket="rkwh", Policy=json.dumps({"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::rkwh/*"}]}))
            targets["oss"] = {"type": "s3", "bucket": "rkwh", "endpoint": endpoint, "addressing_style": "path",
                              "verify_url": f"{endpoint}/rkwh"}
        write_publishconf(project, targets)
        _, settings = production_settings(project)
        for target, key in (("web", "_dir_port"), ("portal", "_rsync_port")):
            if target in targets:
                port = out.pop(key)
                stack.enter_context(nginx(work / f"nginx-{target}", nginx_config(settings, target, f"127.0.0.1:{port}"),
                                          port))
        output = project / "build-publish"
        t = time.perf_counter()
        build(project, None, output, project / "publishconf.py", progress=Progress("off"), force=True)
        out["build_cold_s"] = round(time.perf_counter() - t, 2)
        for target in targets:
            t = time.perf_counter()
            r = deploy(project, target, build_site=False, progress=Progress("off"), log=lambda line: None)
            out[f"{target}_first_deploy_s"] = round(time.perf_counter() - t, 2)
            out[f"{target}_first_files"] = len(r.plan.upload)
            out[f"{target}_first_bytes"] = r.plan.upload_bytes
        edit_one_article(project / "content")
        t = time.perf_counter()
        build(project, None, output, project / "publishconf.py", progress=Progress("off"))
        out["build_one_article_s"] = round(time.perf_counter() - t, 2)
        for target in targets:
            t = time.perf_counter()
            r = deploy(project, target, build_site=False, progress=Progress("off"), log=lambda line: None)
            seconds = time.perf_counter() - t
            out[f"{target}_one_article_deploy_s"] = round(seconds, 2)
            out[f"{target}_one_article_live_s"] = round(seconds + out["build_one_article_s"], 2)
            out[f"{target}_one_article_files"] = len(r.plan.upload)
            out[f"{target}_one_article_bytes"] = r.plan.upload_bytes
            out[f"{target}_verified"] = r.verified
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1000, help="benchmark corpus pairs (0: starter site only)")
    parser.add_argument("--targets", default="dir,rsync,s3", help="target types to measure (default dir,rsync,s3)")
    args = parser.parse_args(argv)
    kinds = [k for k in args.targets.split(",") if k]
    (ROOT / "bench-out").mkdir(exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="deploy-", dir=ROOT / "bench-out"))
    results = []
    try:
        results.append(measure("starter", ROOT / "content", work / "starter", kinds))
        if args.n:
            from bench import generate, prepare_ours

            corpus = generate(work / "corpus", args.n, 42)["yaml"]
            prepare_ours(corpus, work / "corpus" / "validate", [])
            results.append(measure(f"N={args.n}", corpus, work / f"n{args.n}", kinds))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    names = {"web": "dir", "portal": "rsync", "oss": "s3"}
    print()
    print("Publishing (approve -> live, verified on the target; servers on 127.0.0.1)")
    for r in results:
        print(f"  {r['corpus']}: production build cold {r['build_cold_s']} s, after one article {r['build_one_article_s']} s")
        for target, kind in names.items():
            if f"{target}_first_deploy_s" not in r:
                continue
            print(f"    {kind:<5} first deploy {r[f'{target}_first_deploy_s']:>7.2f} s ({r[f'{target}_first_files']} files, "
                  f"{r[f'{target}_first_bytes'] / 1e6:.1f} MB); one article: live in {r[f'{target}_one_article_live_s']:.2f} s "
                  f"(deploy {r[f'{target}_one_article_deploy_s']:.2f} s, {r[f'{target}_one_article_files']} files, "
                  f"{r[f'{target}_one_article_bytes'] / 1e3:.0f} KB uploaded, {r[f'{target}_verified']} fetched back)")
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"written to {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
