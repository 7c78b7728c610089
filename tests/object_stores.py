"""A real S3-compatible server for the tests (moto's, over HTTP on this machine), and stores on it."""

from __future__ import annotations

import secrets
import socket
from collections.abc import Iterator

import pytest

from evidence_hub.services.common.object_store import S3Store, s3_client

S3_TEST_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "eu-west-2",
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """The address of an S3-compatible server that runs for the whole test session."""
    from moto.server import ThreadedMotoServer

    with pytest.MonkeyPatch.context() as environment:
        for name, value in S3_TEST_CREDENTIALS.items():
            environment.setenv(name, value)
        port = free_port()
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        server.start()
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            server.stop()


def new_bucket(endpoint: str) -> str:
    """A bucket of its own for one test."""
    bucket = f"evidence-hub-test-{secrets.token_hex(6)}"
    s3_client(endpoint_url=endpoint, region="eu-west-2").create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-2"}
    )
    return bucket


def s3_store(endpoint: str, prefix: str = "evidence-hub/documents/") -> S3Store:
    return S3Store(
        bucket=new_bucket(endpoint),
        prefix=prefix,
        client=s3_client(endpoint_url=endpoint, region="eu-west-2"),
    )
