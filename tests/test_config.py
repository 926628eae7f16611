"""humstats.toml: paths resolved against the file, every mistake named by its key."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest

from humstats.config import Schedule, SourceKind, load_config
from humstats.errors import ConfigError

EXAMPLE = Path(__file__).parents[1] / "examples" / "humstats.toml"

VALID = """
[store]
data = "store"

[[sources]]
name = "ocha"
paths = ["inbox/ocha/*.csv", "inbox/ocha/**/*.xlsx"]
kind = "table"
publisher = "OCHA"
published = 2024-12-03
mapping = "mappings/ocha.toml"

[[sources]]
name = "news"
paths = ["inbox/news"]
kind = "text"

[[reports]]
name = "syria-monthly"
schedule = "monthly"
countries = ["syr"]
formats = ["html", "pdf"]
template = "templates"
stale_after = { killed = 7 }

[priority]
publishers = ["OCHA", "UNHCR"]
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    for folder in ("inbox/ocha", "inbox/news", "templates", "mappings"):
        (tmp_path / folder).mkdir(parents=True)
    (tmp_path / "mappings" / "ocha.toml").write_text("")
    return tmp_path


def _write(project: Path, text: str) -> Path:
    path = project / "humstats.toml"
    path.write_text(textwrap.dedent(text))
    return path


def test_valid_file_resolves_paths_against_its_folder(
    project: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path_factory.mktemp("elsewhere"))
    config = load_config(_write(project, VALID))
    assert config.store.data == project / "store"
    assert config.store.reports == project / "reports"
    ocha, news = config.sources
    assert ocha.paths == (str(project / "inbox/ocha/*.csv"), str(project / "inbox/ocha/**/*.xlsx"))
    assert ocha.kind is SourceKind.TABLE and ocha.mapping == project / "mappings" / "ocha.toml"
    assert ocha.meta.publisher == "OCHA" and ocha.meta.published_date == dt.date(2024, 12, 3)
    assert news.paths == (str(project / "inbox" / "news"),) and news.meta.publisher is None
    (report,) = config.reports
    assert report.schedule is Schedule.MONTHLY and report.countries == ("SYR",)
    assert report.template == project / "templates"
    assert report.stale_after == {"killed": 7}
    assert config.publishers == ("OCHA", "UNHCR")


def test_minimal_file_uses_defaults(project: Path) -> None:
    config = load_config(_write(project, ""))
    assert config.store.data == project / "data"
    assert config.sources == () and config.reports == () and config.publishers is None


def test_example_configuration_loads() -> None:
    config = load_config(EXAMPLE)
    assert config.sources and config.reports


def test_live_example_configuration_loads() -> None:
    config = load_config(EXAMPLE.with_name("sudan-live.toml"))
    assert [source.kind for source in config.sources] == ["hdx", "hapi", "reliefweb"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('publisher = "OCHA"', 'pubisher = "OCHA"'), "unknown key sources[0].pubisher"),
        (("[priority]", "[priorities]"), "unknown key priorities"),
        (('data = "store"', 'data = "store"\ncache = "x"'), "unknown key store.cache"),
        (('schedule = "monthly"', 'schedule = "daily"'), "reports[0].schedule: input should be"),
        (('schedule = "monthly"', ""), "missing key reports[0].schedule"),
        (('name = "news"', ""), "missing key sources[1].name"),
        (("mappings/ocha.toml", "mappings/gone.toml"), "sources[0].mapping: no such file"),
        (("inbox/ocha/*.csv", "inbx/*.csv"), "sources[0].paths: no such folder"),
        (('"inbox/news"', '"inbox/old"'), "sources[1].paths: no such file or folder"),
        (('template = "templates"', 'template = "tmpl"'), "reports[0].template: no such folder"),
        (('["syr"]', '["syr", "XYZ"]'), "reports[0].countries: unknown ISO3 country code 'XYZ'"),
        (('["syr"]', '"SYR"'), "reports[0].countries: input should be a valid tuple"),
        (('"pdf"]', '"docx"]'), "reports[0].formats[1]: input should be 'html' or 'pdf'"),
        (("2024-12-03", '"soon"'), "sources[0].published:"),
        (('kind = "text"', 'kind = "text"\nmapping = "mappings/ocha.toml"'), "sources[1]: mapping"),
        (
            ('kind = "table"', 'kind = "tabel"'),
            "sources[0].kind: input should be 'table' or 'text'",
        ),
        (('name = "news"', 'name = "ocha"'), "sources: name 'ocha' is used twice"),
        (("[store]", "[store"), "line 2"),
        (('"syria-monthly"', '"../syria"'), "reports[0].name: string should match pattern"),
        (("killed = 7", "killed = 0"), "reports[0].stale_after.killed: input should be greater"),
    ],
)
def test_mistakes_name_their_key(project: Path, change: tuple[str, str], message: str) -> None:
    old, new = change
    assert old in VALID
    path = _write(project, VALID.replace(old, new, 1))
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    text = str(caught.value)
    assert text.startswith(f"{path}: ") and message in text
    assert "\n" not in text
    assert caught.value.exit_code == 2


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such configuration file"):
        load_config(tmp_path / "humstats.toml")


def test_config_is_frozen(project: Path) -> None:
    config = load_config(_write(project, VALID))
    with pytest.raises(AttributeError):
        config.store.data = Path("/elsewhere")  # type: ignore[misc]


LIVE = """
[[sources]]
name = "sudan-idps-hdx"
kind = "hdx"
dataset = "sudan-displacement-data"
resources = ["*.csv", "*.xlsx"]
mappings = { "*dtm*" = "mappings/ocha.toml" }

[[sources]]
name = "sudan-hapi"
kind = "hapi"
endpoint = "affected-people/idps"
params = { location_code = "SDN", admin_level = 1 }
app_identifier_env = "HAPI_APP_IDENTIFIER"

[[sources]]
name = "sudan-reliefweb"
kind = "reliefweb"
query = { country = ["SDN"], format = ["Situation Report", "Flash Update"] }
appname_env = "RELIEFWEB_APPNAME"
since = 2024-06-01
"""


def test_live_sources_take_the_contract_keys_and_default_to_the_real_services(
    project: Path,
) -> None:
    hdx, hapi, reliefweb = load_config(_write(project, LIVE)).sources
    assert (hdx.kind, hdx.base_url, hdx.dataset) == (
        "hdx",
        "https://data.humdata.org",
        "sudan-displacement-data",
    )
    assert hdx.mappings == {"*dtm*": project / "mappings" / "ocha.toml"}
    assert (
        hdx.mapping_for("Sudan DTM round 3", "sudan-dtm-r3.xlsx")
        == project / "mappings" / "ocha.toml"
    )
    assert (hapi.base_url, hapi.endpoint, hapi.params) == (
        "https://hapi.humdata.org",
        "affected-people/idps",
        {"location_code": "SDN", "admin_level": 1},
    )
    assert hapi.app_identifier({"HAPI_APP_IDENTIFIER": " abc "}) == "abc"
    assert hapi.app_identifier({}) is None
    assert reliefweb.base_url == "https://api.reliefweb.int"
    assert reliefweb.query.format == ("Situation Report", "Flash Update")
    assert reliefweb.since == dt.date(2024, 6, 1)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('dataset = "sudan-displacement-data"', ""), "missing key sources[0].dataset"),
        (('endpoint = "affected-people/idps"', ""), "missing key sources[1].endpoint"),
        (('"affected-people/idps"', '"idps?x=1"'), "sources[1].endpoint: expected an endpoint"),
        (("query = { country", "query = { countries"), "unknown key sources[2].query.countries"),
        (('appname_env = "RELIEFWEB_APPNAME"', 'appname = "x"'), "unknown key sources[2].appname"),
        (('"HAPI_APP_IDENTIFIER"', '"not a name"'), "sources[1].app_identifier_env: string should"),
        (('kind = "hdx"', 'kind = "hdx"\nbase_url = "data.humdata.org"'), "sources[0].base_url:"),
        (('kind = "hapi"', 'kind = "hapi"\ntimeout = 0'), "sources[1].timeout: input should be"),
        (
            ("mappings/ocha.toml", "mappings/gone.toml"),
            "sources[0].mappings: '*dtm*': no such file",
        ),
        (("since = 2024-06-01", 'since = "June"'), "sources[2].since:"),
        (
            ("admin_level = 1 }", "admin_level = 1, limit = 5 }"),
            "sources[1].params: 'limit' is set by humstats",
        ),
    ],
)
def test_live_source_mistakes_name_their_key(
    project: Path, change: tuple[str, str], message: str
) -> None:
    old, new = change
    assert old in LIVE
    path = _write(project, LIVE.replace(old, new, 1))
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert message in str(caught.value) and caught.value.exit_code == 2
