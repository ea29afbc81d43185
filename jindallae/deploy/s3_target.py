"""``type: s3``: S3-compatible object storage (Aliyun OSS, Tencent COS, MinIO, AWS) with boto3.

Only what changed is uploaded, decided by our manifest (``<prefix>.jindallae/manifest.json``) and
each object's ``x-amz-meta-sha256`` — never the ETag. Order: assets, pages, home pages; the
manifest names only objects known to be there, and deletions come last, after verification
(a deletion interrupted by a kill is retried by the next deploy: the manifest lists it as
pending). Every object gets its ``Content-Type`` (with charset), a ``Cache-Control`` (short for
pages and feeds, long and immutable for fingerprinted files) and, with ``precompress``, gzip
bytes with ``Content-Encoding: gzip`` for text.

Credentials come from boto3's usual chain — ``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY`` in
the environment, or ``profile`` in ``~/.aws/credentials`` — never from settings.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from .base import DeployError, Target
from .release import COMPRESSIBLE, Manifest, Plan, cache_control, gzip_bytes

MANIFEST_KEY = ".jindallae/manifest.json"


class S3Target(Target):
    kind = "s3"
    can_rollback = False

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self.bucket = self.config["bucket"]
        self.prefix = self.config.get("prefix", "")
        if self.prefix and not self.prefix.endswith("/"):
            self.prefix += "/"
        self._client = None

    @property
    def client(self):
        if self._client is None:
            import boto3
            from botocore.config import Config

            session = boto3.session.Session(profile_name=self.config.get("profile"))
            self._client = session.client(
                "s3", endpoint_url=self.config.get("endpoint"), region_name=self.config.get("region", "us-east-1"),
                config=Config(s3={"addressing_style": self.config.get("addressing_style", "auto")},
                              retries={"max_attempts": 5, "mode": "standard"}, connect_timeout=20, read_timeout=120))
        return self._client

    def _errors(self):
        from botocore.exceptions import BotoCoreError, ClientError

        return BotoCoreError, ClientError

    def live(self):
        botocore_error, client_error = self._errors()
        try:
            body = self.client.get_object(Bucket=self.bucket, Key=self.prefix + MANIFEST_KEY)["Body"].read()
        except client_error as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code in ("NoSuchKey", "404", "NotFound"):
                return None, None
            raise DeployError(f"{self.ctx.name}: cannot read bucket {self.bucket!r}: {code or exc}") from None
        except botocore_error as exc:
            raise DeployError(f"{self.ctx.name}: cannot reach {self.config.get('endpoint', 'S3')}: {exc}") from None
        try:
            manifest = Manifest.from_json(body)
        except ValueError:
            return None, None
        data = json.loads(body)
        self.pending = [p for p in data.get("pending_delete", [])]
        return manifest.release, manifest

    def pending_deletions(self) -> list[str]:
        """Deletions an interrupted deploy left undone (read by :meth:`live`)."""
        return list(getattr(self, "pending", []))

    def apply(self, source: Path, manifest: Manifest, plan: Plan, release: str) -> Path:
        botocore_error, client_error = self._errors()
        precompress = self.config.get("precompress", False)
        try:
            for n, path in enumerate(plan.upload, 1):
                entry = manifest.files[path]
                data = (source / path).read_bytes()
                extra = {"ContentType": entry.type, "CacheControl": cache_control(path),
                         "Metadata": {"sha256": entry.sha256}}
                if precompress and os.path.splitext(path)[1] in COMPRESSIBLE and len(data) >= 256:
                    data = gzip_bytes(data)
                    extra["ContentEncoding"] = "gzip"
                self.client.put_object(Bucket=self.bucket, Key=self.prefix + path, Body=data, **extra)
            manifest.release = release
            self._write_manifest(manifest, plan.delete)
        except (botocore_error, client_error) as exc:
            raise DeployError(f"{self.ctx.name}: upload to bucket {self.bucket!r} failed: {exc}; the pages already "
                              f"sent are complete with their assets, deploy again to finish") from None
        self.ctx.log(f"  {self.ctx.name}: s3://{self.bucket}/{self.prefix} now holds release {release}")
        return source

    def _write_manifest(self, manifest: Manifest, pending: list[str]) -> None:
        data = json.loads(manifest.to_json())
        if pending:
            data["pending_delete"] = sorted(pending)
        self.client.put_object(Bucket=self.bucket, Key=self.prefix + MANIFEST_KEY,
                               Body=json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8"),
                               ContentType="application/json", CacheControl="no-cache")

    def finish(self, plan: Plan, release: str) -> list[str]:
        if not plan.delete:
            return []
        keys = [self.prefix + p for p in plan.delete]
        for start in range(0, len(keys), 1000):
            batch = keys[start:start + 1000]
            answer = self.client.delete_objects(Bucket=self.bucket, Delete={"Objects": [{"Key": k} for k in batch],
                                                                           "Quiet": True})
            if answer.get("Errors"):
                first = answer["Errors"][0]
                raise DeployError(f"{self.ctx.name}: could not delete {first.get('Key')}: {first.get('Message')}; "
                                  f"the next deploy retries it")
        return plan.delete

    def settle(self, manifest: Manifest) -> None:
        """Rewrite the manifest without pending deletions (after :meth:`finish`)."""
        self._write_manifest(manifest, [])
