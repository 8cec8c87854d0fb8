"""`statuswatch add URL`: every platform recognised from 127.0.0.1, the config edited in place."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from loopback import LoopbackServer

from statuswatch.cli import main
from statuswatch.config import load_config
from statuswatch.model import Status
from statuswatch.paths import cache_dir, config_file
from statuswatch.poll import poll
from statuswatch.tomledit import add_to_watch

FIXTURES = Path(__file__).parent / "fixtures"
HTML = b"<!DOCTYPE html><html><head><title>%s</title>%s</head><body>status</body></html>"
STATUSIO_ID = "5b36dc6502d06804c08349f7"


def read(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def page(title: str, head: str = "") -> bytes:
    return HTML % (title.encode(), head.encode())


def serve(srv: LoopbackServer, platform: str) -> str:
    """Serve a status page of `platform`; return the URL a user would give `add`."""
    if platform == "statuspage":
        srv.route("/sp", page("Example Chicago Status"), content_type="text/html")
        srv.route("/sp/api/v2/summary.json", read("statuspage/summary-chicago.json"))
        return srv.url("/sp")
    if platform == "incidentio":
        srv.route("/io/", page("Example AI"), content_type="text/html")
        srv.route("/io/api/v2/summary.json", read("incidentio/summary-active.json"))
        return srv.url("/io/")
    if platform == "instatus":
        srv.route("/rw", page("Railway Status"), content_type="text/html")
        srv.route("/rw/summary.json", read("instatus/summary-issues.json"))
        srv.route("/rw/v2/components.json", read("instatus/components-issues.json"))
        return srv.url("/rw")
    if platform == "betterstack":
        srv.route("/bs", page("Example Models status"), content_type="text/html")
        srv.route("/bs/index.json", read("betterstack/index-downtime.json"))
        return srv.url("/bs")
    if platform == "statusio":
        link = f'<link rel="alternate" type="application/rss+xml" href="/pages/{STATUSIO_ID}/rss">'
        srv.route("/ci", page("CI Status", link), content_type="text/html")
        srv.route(f"/1.0/status/{STATUSIO_ID}", read("statusio/status-incident.json"))
        return srv.url("/ci")
    if platform == "feed":
        srv.route("/hist.rss", read("feed/statuspage-history.rss"), content_type="text/xml")
        return srv.url("/hist.rss")
    if platform == "linked-feed":
        link = '<link rel="alternate" type="application/rss+xml" title="x" href="notices.rss">'
        srv.route("/fjord/", page("Fjord", link), content_type="text/html")
        srv.route("/fjord/notices.rss", read("feed/never-seen.rss"), content_type="text/xml")
        return srv.url("/fjord/")
    if platform == "aws":
        events = read("aws/currentevents-active.json").decode("utf-8")
        srv.route("/public/currentevents", b"\xff\xfe" + events.encode("utf-16-le"))
        return srv.url("/public/currentevents")
    if platform == "gcp":
        srv.route("/incidents.json", read("gcp/incidents-mixed.json"))
        return srv.url("/incidents.json")
    if platform == "azure":
        srv.route("/en-us/status/feed/", read("azure/feed-with-items.xml"), content_type="text/xml")
        return srv.url("/en-us/status/feed/")
    if platform == "slack":
        srv.route("/api/v2.0.0/current", read("slack/current-outage.json"))
        return srv.url("/api/v2.0.0/current")
    return serve_more(srv, platform)


def serve_more(srv: LoopbackServer, platform: str) -> str:
    """Loopback copies of the self-hosted platforms' pages and the consoles' documents."""
    if platform == "uptimekuma":  # the public page is a single-page app at /status/<slug>
        srv.route("/kuma/status/main", page("Uptime Kuma"), content_type="text/html")
        srv.route(
            "/kuma/api/status-page/main", read("uptimekuma/derived-page-incident-maintenance.json")
        )
        srv.route(
            "/kuma/api/status-page/heartbeat/main",
            read("uptimekuma/derived-heartbeat-one-down.json"),
        )
        return srv.url("/kuma/status/main")
    if platform == "upptime":  # the site, with the repository's history/summary.json beside it
        srv.route("/upp/", page("Datalab Status"), content_type="text/html")
        srv.route(
            "/upp/history/summary.json", read("upptime/derived-summary-degraded-and-down.json")
        )
        return srv.url("/upp/")
    if platform == "cachet":
        srv.route("/cachet", page("Yoti Status"), content_type="text/html")
        srv.route("/cachet/api/v1/components", read("cachet/derived-components-issues.json"))
        srv.route("/cachet/api/v1/incidents", read("cachet/documented-incidents.json"))
        return srv.url("/cachet")
    if platform == "gatus":
        srv.route("/gatus", page("Health Dashboard | Gatus"), content_type="text/html")
        srv.route("/gatus/api/v1/endpoints/statuses", read("gatus/derived-statuses-mixed.json"))
        return srv.url("/gatus")
    if platform == "statuspal":
        path = "/api/v1/status_pages/glideapps-com/status"
        srv.route(path, read("statuspal/derived-status-major-incident.json"))
        return srv.url(path)
    if platform == "xbox":
        srv.route(
            "/servicestatusv6/US/en-US", read("xbox/derived-impacted.xml"), content_type="text/xml"
        )
        return srv.url("/servicestatusv6/US/en-US")
    if platform == "playstation":
        path = "/data/statuses/region/SCEA.json"
        srv.route(path, read("playstation/documented-shape-SCEA-issues.json"))
        return srv.url(path)
    raise AssertionError(platform)


# platform -> (kind, provider url relative to the server, id, name) that `add` must write
EXPECTED = {
    "statuspage": ("statuspage", "/sp", "example-chicago", "Example Chicago"),
    "incidentio": ("incidentio", "/io", "example-ai", "Example AI"),
    "instatus": ("instatus", "/rw", "railway-1", "Railway"),
    "betterstack": ("betterstack", "/bs", "example-models", "Example Models"),
    "statusio": ("statusio", f"/1.0/status/{STATUSIO_ID}", "ci", "CI"),
    "feed": ("feed", "/hist.rss", "example-cloud", "Example Cloud"),
    "linked-feed": ("feed", "/fjord/notices.rss", "fjord-hosting-platform-notices",
                    "Fjord Hosting – platform notices"),
    "aws": ("aws", "/public/currentevents", "amazon-web-services-1", "Amazon Web Services"),
    "gcp": ("gcp", "/incidents.json", "google-cloud-1", "Google Cloud"),
    "azure": ("azure", "/en-us/status/feed/", "microsoft-azure", "Microsoft Azure"),
    "slack": ("slack", "/api/v2.0.0/current", "slack-1", "Slack"),
    "uptimekuma": ("uptimekuma", "/kuma/status/main", "dashboard", "Dashboard"),
    "upptime": ("upptime", "/upp/history/summary.json", "datalab", "Datalab"),
    "cachet": ("cachet", "/cachet", "yoti", "Yoti"),
    "gatus": ("gatus", "/gatus", "health-dashboard-gatus", "Health Dashboard | Gatus"),
    "statuspal": ("statuspal", "/api/v1/status_pages/glideapps-com/status", "glide-os", "Glide OS"),
    "xbox": ("xbox", "/servicestatusv6/US/en-US", "xbox-network-1", "Xbox network"),
    "playstation": ("playstation", "/data/statuses/region/SCEA.json", "playstation-network-1",
                    "PlayStation Network"),
}  # fmt: skip


@pytest.mark.parametrize("platform", list(EXPECTED))
def test_add_recognises_each_platform_and_writes_a_working_entry(
    platform: str, loopback: LoopbackServer, capsys: pytest.CaptureFixture[str]
) -> None:
    url = serve(loopback, platform)
    kind, path, provider_id, name = EXPECTED[platform]
    # The catalog has aws, google-cloud, slack and railway: those get an id of their own.
    args = ["add", url] if not provider_id.endswith("-1") else ["add", url, "--id", provider_id]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert f'[providers.{provider_id}] (kind = "{kind}")' in out
    config = load_config()
    spec = config.providers[provider_id]
    assert (spec.kind, spec.url, spec.name, spec.category) == (
        kind,
        loopback.url(path),
        name,
        "other",
    )
    assert provider_id in config.watch  # no watch list: added providers are watched
    # The entry works: a poll of it reads the page.
    (report,) = poll([spec], config.http, cache_dir()).reports
    assert report.error is None and report.status is not Status.UNKNOWN


def test_what_add_prints_and_writes(
    loopback: LoopbackServer, capsys: pytest.CaptureFixture[str], private_paths: Path
) -> None:
    url = serve(loopback, "statuspage")
    assert main(["add", url, "--name", 'Chicago "Ops"']) == 0
    out = capsys.readouterr().out
    document = loopback.url("/sp/api/v2/summary.json")
    assert out == (
        "found: Atlassian Statuspage page 'Chicago \"Ops\"' (a summary with page.time_zone "
        "America/Chicago)\n"
        f"  read {document}\n"
        "  now degraded: 6 components, 2 open incidents, 2 maintenances\n"
        f'added [providers.example-chicago] (kind = "statuspage") to '
        f"{config_file()} (created)\n"
        "  no `watch` list in your config: it is polled with the default set\n"
    )
    assert (private_paths / "config.toml").read_text() == (
        f"# Added by `statuswatch add {url}`\n"
        "[providers.example-chicago]\n"
        'name = "Chicago \\"Ops\\""\n'
        'kind = "statuspage"\n'
        f'url = "{url}"\n'
        'category = "other"\n'
    )


def test_comments_and_layout_are_kept_and_the_watch_list_grows(
    loopback: LoopbackServer, capsys: pytest.CaptureFixture[str], private_paths: Path
) -> None:
    config = private_paths / "config.toml"
    before = (
        "# my statuswatch config\n"
        "watch = [\n"
        '    "github",   # work\n'
        '    "cloudflare",\n'
        "]\n"
        "interval = 120  # slow down\n"
        "\n"
        "[http]\n"
        "retries = 1\n"
    )
    config.write_text(before)
    url = serve(loopback, "instatus")
    assert main(["add", url, "--id", "rw"]) == 0
    assert '"rw" appended to your watch list' in capsys.readouterr().out
    after = config.read_text()
    assert after == (
        before.replace('"cloudflare",\n', '"cloudflare", "rw"\n')
        + f"\n# Added by `statuswatch add {url}`\n"
        "[providers.rw]\n"
        'name = "Railway"\n'
        'kind = "instatus"\n'
        f'url = "{url}"\n'
        'category = "other"\n'
    )
    loaded = load_config()
    assert loaded.watch == ("github", "cloudflare", "rw")
    assert (loaded.interval, loaded.http.retries) == (120.0, 1)


def test_an_unrecognisable_page_writes_nothing(
    loopback: LoopbackServer, capsys: pytest.CaptureFixture[str], private_paths: Path
) -> None:
    loopback.route("/blog", page("My blog"), content_type="text/html")
    config = private_paths / "config.toml"
    config.write_text("interval = 60\n")
    assert main(["add", loopback.url("/blog")]) == 1
    err = capsys.readouterr().err
    base = loopback.url("/blog")
    assert err == (
        f"statuswatch: error: {base} is not a status page statuswatch can read (tried "
        f"{base}: an HTML page; {base}/api/v2/summary.json: HTTP 404; "
        f"{base}/summary.json: HTTP 404; {base}/index.json: HTTP 404; "
        f"{base}/api/v1/components?per_page=100: HTTP 404; "
        f"{base}/api/v1/endpoints/statuses: HTTP 404; "
        f"{base}/history/summary.json: HTTP 404); nothing written\n"
    )
    assert config.read_text() == "interval = 60\n"


def test_an_unreachable_page_writes_nothing(
    capsys: pytest.CaptureFixture[str], private_paths: Path
) -> None:
    assert main(["add", "http://127.0.0.1:9/status"]) == 1
    err = capsys.readouterr().err
    # The host does not answer: its other documents are not asked for.
    assert err.startswith(
        "statuswatch: error: http://127.0.0.1:9/status is not a status page statuswatch can "
        "read (tried http://127.0.0.1:9/status: could not connect to http://127.0.0.1:9/status"
    )
    assert err.endswith("); nothing written\n") and err.count("127.0.0.1:9/") == 3
    assert not (private_paths / "config.toml").exists()


def test_an_existing_id_is_refused_before_any_request(
    loopback: LoopbackServer, capsys: pytest.CaptureFixture[str], private_paths: Path
) -> None:
    url = serve(loopback, "statuspage")
    assert main(["add", url, "--id", "github"]) == 2
    assert capsys.readouterr().err == (
        "statuswatch: error: provider id 'github' already exists (https://www.githubstatus.com)\n"
    )
    assert loopback.requests("/sp") == 0
    assert not (private_paths / "config.toml").exists()


def test_a_derived_id_that_exists_is_refused(
    loopback: LoopbackServer, capsys: pytest.CaptureFixture[str], private_paths: Path
) -> None:
    url = serve(loopback, "slack")  # "Slack" is in the catalog
    assert main(["add", url]) == 2
    assert capsys.readouterr().err == (
        "statuswatch: error: provider id 'slack' already exists "
        "(https://slack-status.com/api/v2.0.0/current) (use --id)\n"
    )
    assert not (private_paths / "config.toml").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["add", "ftp://status.example.com"],
         "URL: expected an http or https URL with a host, got 'ftp://status.example.com'"),
        (["add", "https://status.example.com", "--id", "Bad Id"],
         "--id: invalid provider id 'Bad Id' (expected lowercase letters, digits, '.', '_' or "
         "'-', starting with a letter or digit)"),
        (["add", "https://status.example.com", "--name", "two\nlines"],
         "--name: expected one line of text, got 'two\\nlines'"),
    ],
)  # fmt: skip
def test_bad_arguments_exit_2(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(args) == 2
    assert capsys.readouterr().err == f"statuswatch: error: {message}\n"


def test_a_broken_config_is_reported_and_left_alone(
    capsys: pytest.CaptureFixture[str], private_paths: Path
) -> None:
    config = private_paths / "config.toml"
    config.write_text("watch = [\n")
    assert main(["add", "https://status.example.com"]) == 2
    assert "invalid TOML" in capsys.readouterr().err
    assert config.read_text() == "watch = [\n"


def test_a_config_that_cannot_take_a_table_is_left_alone(
    loopback: LoopbackServer, capsys: pytest.CaptureFixture[str], private_paths: Path
) -> None:
    config = private_paths / "config.toml"
    config.write_text('providers = { mine = { kind = "feed", url = "https://x.example/f" } }\n')
    url = serve(loopback, "gcp")
    assert main(["add", url, "--id", "gcloud"]) == 1
    assert capsys.readouterr().err.endswith(
        "the file cannot take a new [providers] table safely; edit it by hand; nothing written\n"
    )
    assert config.read_text().startswith("providers = { mine")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('watch = ["a"]\n', 'watch = ["a", "new"]\n'),
        ("watch = []\n", 'watch = ["new"]\n'),
        ('watch = ["a",]\n', 'watch = ["a", "new"]\n'),
        ('watch = [\n  "a",  # x ] y\n  "b"  # last\n]\n',
         'watch = [\n  "a",  # x ] y\n  "b", "new"  # last\n]\n'),
        ("watch = ['odd]', \"q#\"]\n", "watch = ['odd]', \"q#\", \"new\"]\n"),
        ('# watch = ["no"]\ninterval = 60\nwatch = ["a"] # yes\n',
         '# watch = ["no"]\ninterval = 60\nwatch = ["a", "new"] # yes\n'),
        ('interval = 60\n[http]\nwatch = ["not top level"]\n', None),
        ('"watch" = ["quoted key"]\n', None),
        ("interval = 60\n", None),
        ('watch = ["unterminated\n', None),
    ],
)  # fmt: skip
def test_add_to_watch(text: str, expected: str | None) -> None:
    result = add_to_watch(text, "new")
    assert result == expected
    if result is not None:
        assert tomllib.loads(result)["watch"][-1] == "new"


def test_a_page_already_known_is_added_with_a_warning(
    loopback: LoopbackServer, capsys: pytest.CaptureFixture[str], private_paths: Path
) -> None:
    (private_paths / "config.toml").write_text('watch = ["github"]\n')
    url = serve(loopback, "statuspage")
    assert main(["add", url]) == 0
    assert capsys.readouterr().err == ""
    # The same page again, by its API document and with a trailing slash: the same source.
    for again, new_id in ((url + "/", "twin"), (url + "/api/v2/summary.json", "triplet")):
        assert main(["add", again, "--id", new_id]) == 0
        err = capsys.readouterr().err
        assert err.startswith(
            "statuswatch: warning: this page is already known as 'example-chicago' "
            f"(in your watch list): adding '{new_id}' polls it twice"
        ), err
    assert {"example-chicago", "twin", "triplet"} <= set(load_config().providers)


def test_what_add_prints_uses_words_and_agrees_in_number(
    loopback: LoopbackServer, capsys: pytest.CaptureFixture[str]
) -> None:
    loopback.route("/one/api/v2/summary.json", read("statuspage/summary-chicago.json").replace(
        b'"indicator": "minor"', b'"indicator": "major"'))  # fmt: skip
    assert main(["add", loopback.url("/one/api/v2/summary.json"), "--id", "wording-test"]) == 0
    out = capsys.readouterr().out
    assert "  now partial outage: 6 components, 2 open incidents, 2 maintenances\n" in out
