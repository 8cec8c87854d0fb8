"""Config for scoping: watch entries and -p with components, provider `components`, stacks."""

from __future__ import annotations

from pathlib import Path

import pytest

from statuswatch.config import ConfigError, load_config, plan, select, stack_plan
from statuswatch.document.read import snapshot_from_document
from statuswatch.document.write import snapshot_document
from statuswatch.model import Target


def config_at(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def error_of(tmp_path: Path, text: str) -> str:
    path = config_at(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert "\n" not in message
    return message.removeprefix(f"{path}: ")


def test_watch_entries_and_provider_tables_scope_the_specs(tmp_path: Path) -> None:
    path = config_at(
        tmp_path,
        'watch = ["aws:us-east-1, eu-west-1", "cloudflare", "github"]\n'
        '[providers.cloudflare]\ncomponents = ["CDN/Cache", "Workers*"]\n',
    )
    config = load_config(path)
    scopes = {spec.id: spec.scope for spec in select(config)}
    assert scopes == {
        "aws": ("us-east-1", "eu-west-1"),
        "cloudflare": ("CDN/Cache", "Workers*"),
        "github": None,
    }
    # -p takes the same syntax; without components, the table's scope applies.
    chosen = select(config, ["aws:ap-south-1", "cloudflare"])
    assert [(s.id, s.scope) for s in chosen] == [
        ("aws", ("ap-south-1",)),
        ("cloudflare", ("CDN/Cache", "Workers*")),
    ]
    # `components = []` is the whole page again.
    path.write_text("[providers.cloudflare]\ncomponents = []\n", encoding="utf-8")
    assert load_config(path).providers["cloudflare"].scope is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('watch = ["aws:"]\n', "watch[0]: empty component pattern in 'aws:'"),
        ('watch = ["aws:a,,b"]\n', "watch[0]: empty component pattern in 'aws:a,,b'"),
        ('watch = ["awss:us-east-1"]\n', "watch[0]: unknown provider 'awss' (did you mean 'aws'?)"),
        (
            'watch = ["aws:us-east-1", "aws:eu-west-1"]\n',
            "watch[1]: 'aws' is already there as 'aws:us-east-1': one scope per provider "
            "(list its components together: id:a,b)",
        ),
        (
            '[providers.aws]\ncomponents = "us-east-1"\n',
            "providers.aws.components: expected a list of strings, got string",
        ),
        (
            '[providers.aws]\ncomponents = [""]\n',
            "providers.aws.components[0]: expected a non-empty string",
        ),
        (
            '[stacks.checkout]\nname = "Checkout"\n',
            'stacks.checkout.uses: missing (the providers the stack uses, e.g. ["aws:us-east-1"])',
        ),
        ("[stacks.checkout]\nuses = []\n", "stacks.checkout.uses: expected at least one provider"),
        (
            '[stacks.checkout]\nuses = ["stripe", "githb"]\n',
            "stacks.checkout.uses[1]: unknown provider 'githb' (did you mean 'github'?)",
        ),
        (
            '[stacks.checkout]\nuses = ["stripe"]\nuse = 1\n',
            "stacks.checkout.use: unknown key 'use' (did you mean 'uses'?)",
        ),
        (
            '[stacks.Checkout]\nuses = ["stripe"]\n',
            "stacks.Checkout: invalid stack id 'Checkout' (expected lowercase letters, digits, "
            "'.', '_' or '-', starting with a letter or digit)",
        ),
        ('stacks = ["a"]\n', "stacks: expected a table, got array"),
    ],
)
def test_one_line_errors(tmp_path: Path, text: str, message: str) -> None:
    assert error_of(tmp_path, text) == message


def test_the_command_line_refuses_two_scopes_for_one_provider(tmp_path: Path) -> None:
    config = load_config(config_at(tmp_path, ""))
    with pytest.raises(ConfigError, match=r"--provider: 'aws' is already there as 'aws:a'"):
        select(config, ["aws:a", "aws:b"])
    with pytest.raises(ConfigError, match=r"--provider: unknown provider 'awss'"):
        select(config, ["awss:a"])


def test_stacks_are_read_and_their_providers_polled(tmp_path: Path) -> None:
    config = load_config(
        config_at(
            tmp_path,
            'watch = ["github"]\n'
            '[providers.stripe]\ncomponents = ["API"]\n'
            '[stacks.checkout]\nname = "Checkout"\nuses = ["stripe", "aws:us-east-1", "github"]\n'
            '[stacks.edge]\nuses = ["cloudflare", "aws:eu-west-1"]\n',
        )
    )
    (checkout, edge) = config.stacks
    assert checkout.name == "Checkout" and edge.name == "edge"  # the id when no name
    # A part without components takes the provider's own scope.
    assert checkout.uses == (
        Target("stripe", ("API",)),
        Target("aws", ("us-east-1",)),
        Target("github"),
    )
    specs, stacks = plan(config)
    assert [(s.id, s.scope) for s in specs] == [
        ("github", None),
        ("stripe", ("API",)),
        ("aws", ("us-east-1",)),  # the scope of the first part that uses it
        ("cloudflare", None),
    ]
    assert stacks == config.stacks
    # Chosen providers come without stacks.
    assert plan(config, ["github"]) == (select(config, ["github"]), ())
    specs, stack = stack_plan(config, "edge")
    assert [s.id for s in specs] == ["cloudflare", "aws"] and stack is edge
    with pytest.raises(ConfigError, match=r"unknown stack 'edg' \(did you mean 'edge'\? "):
        stack_plan(config, "edg")


def test_the_document_reads_back_as_it_was_written() -> None:
    from assess_helpers import minutes, open_incident, report

    from statuswatch.assess import assess
    from statuswatch.model import Snapshot
    from statuswatch.scope import parse_target
    from statuswatch.stacks import Stack

    snapshot = assess(
        Snapshot(
            minutes(30),
            (
                report("google-cloud", open_incident("g1", minutes(0))),
                report(
                    "cloudflare",
                    open_incident("kv", minutes(2), "Workers KV"),
                    open_incident("vague", minutes(3)),
                    runs_on=("google-cloud",),
                    scope=("Workers KV",),
                ),
            ),
        ),
        [Stack("edge", "Edge", (parse_target("cloudflare:Workers KV"), parse_target("github")))],
    )
    written = snapshot_document(snapshot)
    cloudflare = written["providers"][1]
    assert [i["in_scope"] for i in cloudflare["incidents"]] == [True, None]
    assert written["correlations"][0]["cause"] == "google-cloud"
    again = snapshot_document(snapshot_from_document(written))
    assert again == written
