"""End to end: a scheduled run over the local server renders a report whose appendix links
every figure to the HDX resource, HAPI query or ReliefWeb report it came from."""

from __future__ import annotations

import base64
import datetime as dt
import io
from pathlib import Path

import lxml.html
import polars as pl
from pytest_httpserver import HTTPServer

from humstats.schedule import run
from humstats.store import Store
from sources.livesources import (
    ENVIRON,
    HAPI,
    HDX,
    IDPS,
    RELIEFWEB,
    RETURNEES,
    serve_hapi,
    serve_hdx,
    serve_reliefweb,
    write_config,
)

MONTHLY = """
[[reports]]
name = "sudan-monthly"
schedule = "monthly"
countries = ["SDN"]
formats = ["html"]
"""


def test_report_footnotes_link_each_figure_to_its_resource_or_report(
    tmp_path: Path, server: HTTPServer, http: dict[str, object]
) -> None:
    serve_hdx(server)
    serve_hapi(server)
    serve_reliefweb(server)
    config = write_config(tmp_path, server, HDX + HAPI + RELIEFWEB, MONTHLY)
    result = run(config, today=dt.date(2024, 7, 2), environ=ENVIRON, http=http)
    assert result.exit_code == 0, result.errors
    (html,) = result.written
    page = lxml.html.parse(str(html)).getroot()
    entries = page.xpath('//section[@id="appendix"]//p[@class="entry"]')
    assert entries, "the report cites figures"

    figures = {f["figure_id"]: f for f in Store(config.store.data).figures().collect().to_dicts()}
    expected = {
        server.url_for(IDPS),
        server.url_for(RETURNEES),
        server.url_for("/api/v2/affected-people/idps") + "?location_code=SDN&output_format=json",
        *(
            server.url_for(f"/report/sudan/{slug}")
            for slug in (
                "sudan-situation-report-5-june-2024",
                "sudan-flash-update-on-arrivals-in-chad",
                "sudan-flash-update-no.-3",
            )
        ),
    }
    # The report names no internal ids: its embedded CSV ties each appendix number to its
    # figure.
    (csv,) = page.xpath('//section[@id="appendix"]//a[@rel="attachment"]/@href')
    used = pl.read_csv(io.BytesIO(base64.b64decode(csv.split(",", 1)[1])))
    numbered = {row["appendix_number"]: row["figure_id"] for row in used.to_dicts()}
    # An entry links its own URL, or cites its dataset whose row in the sources table does.
    source_links = {
        row.get("id"): row.xpath('.//a[@class="url"]/@href')
        for row in page.xpath('//section[@id="sources"]//tr[starts-with(@id, "src-")]')
    }
    linked = set()
    for entry in entries:
        own = entry.xpath('.//a[@class="url"]/@href')
        (cited,) = entry.xpath('.//a[starts-with(@href, "#src-")]/@href')
        href = own[0] if own else source_links[cited.removeprefix("#")][0]
        figure_id = numbered[int(entry.get("id").removeprefix("fig-"))]
        assert href == figures[figure_id]["source_url"]
        linked.add(href)
    assert linked <= expected
    # figures from datasets and from reports are both cited, each with its own link
    assert server.url_for(IDPS) in linked or server.url_for(RETURNEES) in linked
    assert any("/report/sudan/" in url for url in linked)
