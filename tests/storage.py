"""The two evidence storages the tests run against: a local folder (MEDIA_ROOT) and a real S3-compatible
server (moto's server mode, started by bin/test). Tests read what was stored through these helpers, which
go around the code under test: the folder directly, the bucket with a boto3 client of their own."""

import hashlib
import os
import uuid
from pathlib import Path

import boto3
import pytest


class LocalStore:
    name = "local"

    def __init__(self, root: Path):
        self.root = Path(root)

    def files(self, prefix: str = "") -> list[str]:
        base = self.root / prefix if prefix else self.root
        if not base.exists():
            return []
        return sorted(p.relative_to(self.root).as_posix() for p in base.rglob("*") if p.is_file())

    def read(self, name: str) -> bytes:
        return (self.root / name).read_bytes()

    def write(self, name: str, content: bytes) -> None:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)

    def sha256(self, name: str) -> str:
        return hashlib.sha256(self.read(name)).hexdigest()


class S3Store:
    name = "s3"

    def __init__(self, endpoint: str, bucket: str):
        self.endpoint, self.bucket = endpoint, bucket
        self.client = s3_client(endpoint)

    def files(self, prefix: str = "") -> list[str]:
        names = []
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix):
            names += [entry["Key"] for entry in page.get("Contents", ())]
        return sorted(names)

    def read(self, name: str) -> bytes:
        return self.client.get_object(Bucket=self.bucket, Key=name)["Body"].read()

    def write(self, name: str, content: bytes) -> None:
        self.client.put_object(Bucket=self.bucket, Key=name, Body=content)

    def sha256(self, name: str) -> str:
        return hashlib.sha256(self.read(name)).hexdigest()

    def remove_bucket(self) -> None:
        for name in self.files():
            self.client.delete_object(Bucket=self.bucket, Key=name)
        self.client.delete_bucket(Bucket=self.bucket)


CREDENTIALS = {"aws_access_key_id": "posko-test", "aws_secret_access_key": "posko-test-secret"}


def s3_endpoint() -> str:
    endpoint = os.environ.get("POSKO_TEST_S3_ENDPOINT")
    if not endpoint:
        pytest.fail(
            "POSKO_TEST_S3_ENDPOINT is not set: run the suite with bin/test, which starts the S3 server"
        )
    return endpoint


def s3_client(endpoint: str):
    return boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", **CREDENTIALS)


def s3_bucket_new() -> S3Store:
    store = S3Store(s3_endpoint(), f"posko-test-{uuid.uuid4().hex[:16]}")
    store.client.create_bucket(Bucket=store.bucket)
    return store


def s3_settings_for(store: S3Store) -> dict:
    """The STORAGES entry the settings module makes from POSKO_S3_* for this bucket."""
    from posko.settings import evidence_s3_storage

    return evidence_s3_storage(
        bucket=store.bucket,
        endpoint_url=store.endpoint,
        access_key=CREDENTIALS["aws_access_key_id"],
        secret_key=CREDENTIALS["aws_secret_access_key"],
    )
