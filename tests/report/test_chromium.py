"""End to end: a real browser opens the HTML report and asks the network for nothing.

Chromium records every request in a net log. Its own background traffic (updates, time)
has no page behind it (initiator "not an origin"); a request made by the page has the file's
opaque origin as initiator and ``file://`` in its network isolation key. A control page with
one external image proves the check can fail.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from report_samples import render_december
from test_render import HEADLINES

CHROMIUM = next((p for p in map(shutil.which, ("chromium", "chromium-browser")) if p), None)
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="headless Chromium not installed (apt-get install chromium)"
)


def _open(page: Path, tmp_path: Path) -> tuple[str, list[str]]:
    """The DOM after load and the URLs the page itself requested."""
    net_log = tmp_path / f"{page.stem}-net.json"
    result = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}",
            f"--log-net-log={net_log}",
            "--dump-dom",
            page.resolve().as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=90,
        check=True,
    )
    log = json.loads(net_log.read_text())
    names = {number: name for name, number in log["constants"]["logEventTypes"].items()}
    urls: dict[int, str] = {}
    from_page: set[int] = set()
    for event in log["events"]:
        params, source = event.get("params", {}), event["source"]["id"]
        if "url" in params:
            urls.setdefault(source, params["url"])
        if names[event["type"]] == "URL_REQUEST_START_JOB" and (
            params.get("initiator") in ("null", "file://")
            or "file://" in params.get("network_isolation_key", "")
        ):
            from_page.add(source)
    return result.stdout, sorted(urls.get(s, "?") for s in from_page)


def test_report_renders_in_chromium_without_any_request(tmp_path):
    html = render_december(tmp_path / "reports", formats=("html",))["html"]
    dom, requested = _open(html, tmp_path)
    assert requested == []
    for value, _ in HEADLINES.values():
        assert value in dom
    assert dom.count("<svg") >= 4


def test_the_request_check_sees_an_external_image(tmp_path):
    page = tmp_path / "control.html"
    page.write_text('<html><body><img src="https://example.invalid/x.png"></body></html>')
    _, requested = _open(page, tmp_path)
    assert requested == ["https://example.invalid/x.png"]
