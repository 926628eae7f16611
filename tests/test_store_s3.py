"""A store on object storage: its Delta tables committed to, read and compacted through
delta-rs' storage options, against a local S3-compatible server (moto)."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import polars as pl
import pytest

import humstats
from conftest import make_figures, make_sources
from humstats.errors import StoreError
from humstats.status import store_status
from humstats.store import Store, new_batch_id
from humstats.validate import empty_quarantine

moto_server = pytest.importorskip("moto.server")
boto3 = pytest.importorskip("boto3")

BUCKET = "humstats-test"


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def remote(endpoint: str, request: pytest.FixtureRequest) -> tuple[str, dict[str, str]]:
    """A fresh store URL on the server, and the options that reach it."""
    options = {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_REGION": "us-east-1",
        "AWS_ALLOW_HTTP": "true",
        "AWS_S3_ALLOW_UNSAFE_RENAME": "true",  # one writer in these tests
    }
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        region_name="us-east-1",
    )
    if BUCKET not in {b["Name"] for b in client.list_buckets()["Buckets"]}:
        client.create_bucket(Bucket=BUCKET)
    return f"s3://{BUCKET}/{request.node.name}/data", options


def _commit(store: Store, sha: str, values: list[int]) -> int:
    figures = make_figures(*({"figure_id": f"{sha[:6]}:{v}", "value": v} for v in values))
    figures = figures.with_columns(source_file=pl.lit(f"raw/{sha[:2]}/{sha}.csv"))
    with store.lock():
        return store.commit(new_batch_id(), figures, empty_quarantine(), make_sources(figures, sha))


def test_a_store_on_object_storage_is_committed_to_and_read(
    remote: tuple[str, dict[str, str]],
) -> None:
    url, options = remote
    store = Store(url, storage_options=options)
    assert _commit(store, "a" * 64, [1, 2]) == 0
    assert _commit(store, "b" * 64, [3]) == 1

    dataset = humstats.open(url, storage_options=options)
    assert sorted(dataset.figures().collect()["value"]) == [1, 2, 3]
    assert dataset.sources().collect().height == 2

    status = store_status(url, storage_options=options)
    assert (status.figures, status.sources, status.version) == (3, 2, 1)
    assert {r["table"]: r["files"] for r in status.tables.to_dicts()} == {
        "figures": 2,
        "sources": 2,
    }
    # other engines read the tables where they are
    figures = pl.scan_delta(store.table_uri("figures"), storage_options=options).collect()
    assert sorted(figures["value"]) == [1, 2, 3]


def test_a_store_on_object_storage_compacts_without_losing_a_row(
    remote: tuple[str, dict[str, str]],
) -> None:
    url, options = remote
    store = Store(url, storage_options=options)
    for n in range(4):
        _commit(store, f"{n}" * 64, [n, n + 10])
    before = store.figures().collect().sort("value")
    done = store.compact()
    assert (done.files_before, done.files_after) == (8, 2)
    assert Store(url, storage_options=options).figures().collect().sort("value").equals(before)


def test_ingesting_into_object_storage_says_what_to_do(
    remote: tuple[str, dict[str, str]], tmp_path: pytest.TempPathFactory
) -> None:
    url, options = remote
    table = tmp_path / "t.csv"  # type: ignore[operator]
    table.write_text("country,indicator,value\nSDN,displaced,5\n")
    with pytest.raises(StoreError, match="needs a local or mounted folder"):
        Store(url, storage_options=options).archive(table)
