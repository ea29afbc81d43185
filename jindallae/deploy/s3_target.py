"""``type: s3``: S3-compatible object storage (Aliyun OSS, Tencent COS, MinIO, AWS) with boto3.

Only what changed is uploaded, decided by our manifest (``<prefix>.jindallae/manifest.json``:
every file's SHA-256, which each object also carries as ``x-amz-meta-sha256``) — never by the
ETag, which is not an MD5 of the bytes for multipart or gzip uploads. Order: assets, pages, home
pages, then the manifest; deletions come last, after verification. Every object gets its
``Content-Type`` (with charset), a ``Cache-Control`` (short for pages and feeds, long and
immutable for fingerprinted files) and, with ``precompress``, gzip bytes with
``Content-Encoding: gzip`` for text; turning ``precompress`` on or off sends every object again.

A deploy can stop anywhere (kill -9, a network failure) without leaving the bucket wrong for the
next one: before the first upload the manifest is rewritten without the paths about to be
uploaded, which are listed as ``pending_delete`` instead. The next deploy therefore uploads
again whatever the new release has of them (an object sent by the interrupted deploy may hold
bytes the new release does not) and deletes the rest (a page of the interrupted release that
the new one withdrew). Deletions that did not happen are listed the same way and retried.
Objects are written in an order that never shows a page whose assets are missing, at any
moment.

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
CREDENTIALS_HINT = ("set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment, or the target's 'profile' "
                    "(a section of ~/.aws/credentials); keys never go in settings")


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
        self.precompress = bool(self.config.get("precompress", False))
        self.pending: list[str] = []
        self._live_manifest: Manifest | None = None  # what live() read: the plan starts from it

    @property
    def client(self):
        if self._client is None:
            import boto3
            from botocore.config import Config

            session = boto3.session.Session(profile_name=self.config.get("profile"))
            self._client = session.client(
                "s3", endpoint_url=self.config.get("endpoint"), region_name=self.config.get("region"),
                config=Config(s3={"addressing_style": self.config.get("addressing_style", "auto")},
                              retries={"max_attempts": 5, "mode": "standard"}, connect_timeout=20, read_timeout=120))
        return self._client

    def _errors(self):
        from botocore.exceptions import BotoCoreError, ClientError

        return BotoCoreError, ClientError

    def _explain(self, exc: Exception) -> str:
        """What the storage (or boto3) answered, in one phrase with what to do."""
        from botocore.exceptions import (ClientError, EndpointConnectionError, NoCredentialsError,
                                         PartialCredentialsError, ProfileNotFound)

        if isinstance(exc, (NoCredentialsError, PartialCredentialsError)):
            return f"no S3 credentials ({exc}): {CREDENTIALS_HINT}"
        if isinstance(exc, ProfileNotFound):
            return f"{exc}: {CREDENTIALS_HINT}"
        if isinstance(exc, EndpointConnectionError):
            return f"cannot reach {self.config.get('endpoint', 'S3')}: {exc}"
        if isinstance(exc, ClientError):
            error = exc.response.get("Error", {})
            code, message = error.get("Code", ""), error.get("Message", "")
            if code in ("InvalidAccessKeyId", "SignatureDoesNotMatch", "AccessDenied", "403"):
                return f"{code}: {message or 'access denied'} ({CREDENTIALS_HINT})"
            if code == "NoSuchBucket":
                return f"bucket {self.bucket!r} does not exist at {self.config.get('endpoint', 'S3')}"
            return f"{code}: {message}" if message else str(exc)
        return str(exc)

    def live(self):
        botocore_error, client_error = self._errors()
        try:
            body = self.client.get_object(Bucket=self.bucket, Key=self.prefix + MANIFEST_KEY)["Body"].read()
        except client_error as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code in ("NoSuchKey", "404", "NotFound"):
                return None, None
            raise DeployError(f"{self.ctx.name}: reading the live release from bucket {self.bucket!r} failed: "
                              f"{self._explain(exc)}; nothing was changed") from None
        except botocore_error as exc:
            raise DeployError(f"{self.ctx.name}: reading the live release from bucket {self.bucket!r} failed: "
                              f"{self._explain(exc)}; nothing was changed") from None
        try:
            manifest = Manifest.from_json(body)
            data = json.loads(body)
        except (ValueError, KeyError, TypeError):
            return None, None  # not ours (or damaged): everything is uploaded again
        self._live_manifest = manifest
        self.pending = [p for p in data.get("pending_delete", []) if isinstance(p, str)]
        if bool(data.get("precompress", False)) != self.precompress:
            # every object's encoding changes: the live files count as unknown (all uploaded again)
            self.pending += [p for p in manifest.files if p not in self.pending]
            self._live_manifest = Manifest({}, manifest.release)
        return manifest.release, self._live_manifest

    def pending_deletions(self) -> list[str]:
        """Paths an interrupted deploy may have left in the bucket — objects sent before the
        manifest named them, deletions not done — read by :meth:`live`; the driver deletes those
        the new release does not have."""
        return list(getattr(self, "pending", []))

    def apply(self, source: Path, manifest: Manifest, plan: Plan, release: str) -> Path:
        botocore_error, client_error = self._errors()
        step = "recording the deploy in the manifest"
        try:
            if plan.upload:
                # Until the new manifest is written, the objects about to be sent are in an unknown
                # state: the live manifest drops them and lists them as pending deletions.
                live = self._live_manifest or Manifest({}, "")
                sending = set(plan.upload)
                self._write_manifest(Manifest({p: e for p, e in live.files.items() if p not in sending}, live.release),
                                     sorted(sending | set(plan.delete)))
            for n, path in enumerate(plan.upload, 1):
                step = f"uploading {path} ({n} of {len(plan.upload)})"
                entry = manifest.files[path]
                data = (source / path).read_bytes()
                extra = {"ContentType": entry.type, "CacheControl": cache_control(path),
                         "Metadata": {"sha256": entry.sha256}}
                if self.precompress and os.path.splitext(path)[1] in COMPRESSIBLE and len(data) >= 256:
                    data = gzip_bytes(data)
                    extra["ContentEncoding"] = "gzip"
                self.client.put_object(Bucket=self.bucket, Key=self.prefix + path, Body=data, **extra)
            step = "writing the new manifest"
            manifest.release = release
            self._write_manifest(manifest, plan.delete)
        except (botocore_error, client_error) as exc:
            raise DeployError(f"{self.ctx.name}: {step} to bucket {self.bucket!r} failed: {self._explain(exc)}. The "
                              f"objects already sent are complete and every page there has its assets; deploy "
                              f"again to finish") from None
        self.ctx.log(f"  {self.ctx.name}: s3://{self.bucket}/{self.prefix} now holds release {release}")
        return source

    def _write_manifest(self, manifest: Manifest, pending: list[str]) -> None:
        """Store ``manifest`` (with the ``precompress`` setting its objects were sent with and the
        ``pending`` deletions) as ``<prefix>.jindallae/manifest.json``."""
        data = json.loads(manifest.to_json())
        data["precompress"] = self.precompress
        if pending:
            data["pending_delete"] = sorted(set(pending))
        self.client.put_object(Bucket=self.bucket, Key=self.prefix + MANIFEST_KEY,
                               Body=json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8"),
                               ContentType="application/json", CacheControl="no-cache")

    def finish(self, plan: Plan, release: str) -> list[str]:
        """Delete the objects the release no longer has (after verification). A failure leaves
        them listed as pending in the manifest: the next deploy deletes them."""
        if not plan.delete:
            return []
        botocore_error, client_error = self._errors()
        keys = [self.prefix + p for p in plan.delete]
        for start in range(0, len(keys), 1000):
            batch = keys[start:start + 1000]
            try:
                answer = self.client.delete_objects(Bucket=self.bucket,
                                                    Delete={"Objects": [{"Key": k} for k in batch], "Quiet": True})
            except (botocore_error, client_error) as exc:
                raise DeployError(f"{self.ctx.name}: release {release} is live and verified, but deleting "
                                  f"{len(keys) - start} old object(s) failed: {self._explain(exc)}; they are listed "
                                  f"as pending in the manifest and the next deploy deletes them") from None
            if answer.get("Errors"):
                first = answer["Errors"][0]
                raise DeployError(f"{self.ctx.name}: release {release} is live and verified, but deleting "
                                  f"{first.get('Key')} failed: {first.get('Code')} {first.get('Message')} "
                                  f"({len(answer['Errors'])} object(s) not deleted); they are listed as pending in the "
                                  f"manifest and the next deploy deletes them")
        return plan.delete

    def settle(self, manifest: Manifest) -> None:
        """Rewrite the manifest without pending deletions (after :meth:`finish`)."""
        botocore_error, client_error = self._errors()
        try:
            self._write_manifest(manifest, [])
        except (botocore_error, client_error) as exc:
            raise DeployError(f"{self.ctx.name}: the release is live and verified and old objects were deleted, but "
                              f"rewriting the manifest failed: {self._explain(exc)}; the next deploy tidies it "
                              f"up") from None
