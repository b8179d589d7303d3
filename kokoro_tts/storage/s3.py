"""Audio in an S3 bucket (or any S3-compatible store) through boto3.

boto3 reads the standard settings from the environment, ``AWS_ENDPOINT_URL`` included. A
``put_object`` is atomic (the object exists whole or not at all), and carries the MD5 of its
bytes, so the store refuses a body damaged on the way.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from . import CHUNK_BYTES, StorageError


class S3Store:
    def __init__(self, bucket: str, prefix: str = "") -> None:
        import boto3
        from botocore.config import Config

        self.bucket = bucket
        self.prefix = prefix
        self.url = f"s3://{bucket}/{prefix}" if prefix else f"s3://{bucket}"
        config = Config(retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=5, read_timeout=30)
        self.client: Any = boto3.client("s3", config=config)

    def _key(self, key: str) -> str:
        return f"{self.prefix}/{key}" if self.prefix else key

    def _call(self, method: str, missing_ok: bool = False, **kwargs: Any) -> Any:
        """A client call; a missing object is None (if `missing_ok`), any other failure StorageError."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return getattr(self.client, method)(Bucket=self.bucket, **kwargs)
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code")
            if missing_ok and code in ("404", "NoSuchKey", "NotFound"):
                return None
            raise StorageError(f"{self.url}: {method} failed: {code}") from error
        except BotoCoreError as error:
            raise StorageError(f"{self.url}: {method} failed: {error}") from error

    def put(self, key: str, data: bytes) -> None:
        md5 = base64.b64encode(hashlib.md5(data).digest()).decode("ascii")
        self._call("put_object", Key=self._key(key), Body=data, ContentMD5=md5)

    def put_file(self, key: str, path: Path) -> None:
        """boto3's managed upload: multipart for big files; the object appears only when complete."""
        from boto3.exceptions import S3UploadFailedError
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.client.upload_file(str(path), self.bucket, self._key(key))
        except (S3UploadFailedError, BotoCoreError, ClientError) as error:
            raise StorageError(f"{self.url}: upload failed: {error}") from error

    def size(self, key: str) -> int | None:
        head = self._call("head_object", missing_ok=True, Key=self._key(key))
        return None if head is None else int(head["ContentLength"])

    def read(self, key: str) -> Iterator[bytes] | None:
        answer = self._call("get_object", missing_ok=True, Key=self._key(key))
        if answer is None:
            return None
        body = answer["Body"]

        def chunks() -> Iterator[bytes]:
            try:
                yield from body.iter_chunks(CHUNK_BYTES)
            finally:
                body.close()

        return chunks()

    def local_path(self, key: str) -> Path | None:
        return None

    def delete(self, key: str) -> None:
        self._call("delete_object", Key=self._key(key))

    def _listed(self, prefix: str) -> Iterator[dict[str, Any]]:
        full = self._key(prefix) + "/" if prefix else (self.prefix + "/" if self.prefix else "")
        token: dict[str, Any] = {}
        while True:
            page = self._call("list_objects_v2", Prefix=full, **token)
            yield from page.get("Contents", [])
            if not page.get("IsTruncated"):
                return
            token = {"ContinuationToken": page["NextContinuationToken"]}

    def delete_prefix(self, prefix: str) -> None:
        keys = [{"Key": item["Key"]} for item in self._listed(prefix)]
        for start in range(0, len(keys), 1000):  # the most one request may delete
            self._call("delete_objects", Delete={"Objects": keys[start : start + 1000], "Quiet": True})

    def objects(self, prefix: str = "") -> Iterator[tuple[str, datetime]]:
        strip = len(self.prefix) + 1 if self.prefix else 0
        for item in self._listed(prefix):
            yield item["Key"][strip:], item["LastModified"].astimezone(UTC).replace(tzinfo=None)

    def check(self) -> None:
        self._call("head_bucket")
