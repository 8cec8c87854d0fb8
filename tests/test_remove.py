"""`statuswatch remove ID`: the mirror of `add`, the config edited as text, comments kept."""

from __future__ import annotations

from pathlib import Path

import pytest
from loopback import LoopbackServer
from test_add import serve

from statuswatch.cli import main
from statuswatch.config import load_config
from statuswatch.paths import config_file
from statuswatch.tomledit import remove_from_watch, remove_table

MINE = """\
# My statuswatch config: the pages my team depends on.
watch = [
  "github",   # code
  "openai",   # the assistant
]
interval = 60  # seconds

[http]
retries = 1  # we are patient
"""


def _out(capsys: pytest.CaptureFixture[str]) -> tuple[str, str]:
    captured = capsys.readouterr()
    return captured.out, captured.err


def test_remove_undoes_add_and_keeps_every_comment(
    loopback: LoopbackServer, capsys: pytest.CaptureFixture[str]
) -> None:
    path = config_file()
    path.write_text(MINE)
    assert main(["add", serve(loopback, "statuspage")]) == 0
    added = path.read_text()
    assert '"example-chicago"' in added and "[providers.example-chicago]" in added
    capsys.readouterr()
    assert main(["remove", "example-chicago"]) == 0
    assert _out(capsys) == (
        f"removed [providers.example-chicago] from {path}\n"
        '  "example-chicago" taken out of your watch list\n',
        "",
    )
    assert path.read_text() == MINE  # to the byte: comments, layout, trailing comma
    assert "example-chicago" not in load_config().providers


def test_remove_a_catalog_provider_from_the_watch_list(
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = config_file()
    path.write_text(MINE)
    assert main(["remove", "GitHub"]) == 0  # ids ignore case on the command line
    assert _out(capsys) == (f'"github" taken out of your watch list in {path}\n', "")
    # Its line goes, with the comment about it; every other comment stays.
    assert path.read_text() == MINE.replace('  "github",   # code\n', "")
    assert load_config().watch == ("openai",)


@pytest.mark.parametrize(
    ("text", "argv", "message"),
    [
        (MINE, ["remove", "githb"], "unknown provider 'githb' (did you mean 'github'?)"),
        (MINE, ["remove", "cloudflare"], "does not name 'cloudflare': nothing to remove"),
        ("interval = 60\n", ["remove", "cloudflare"],
         "'cloudflare' is polled as one of the default set"),
        ('watch = ["mine"]\n[providers.mine]\nkind = "statuspage"\nurl = "https://s.example"\n'
         '[[notify.channels]]\ntype = "stdout"\nproviders = ["mine"]\n',
         ["remove", "mine"],
         "without 'mine' the config would not load: unknown provider 'mine'"),
    ],
)  # fmt: skip
def test_what_cannot_be_removed_is_said_and_nothing_is_written(
    text: str, argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = config_file()
    path.write_text(text)
    assert main(argv) == 2
    out, err = _out(capsys)
    assert out == ""
    assert err.startswith("statuswatch: error: ") and message in err, err
    assert err.count("\n") == 1
    assert path.read_text() == text


def test_remove_without_a_config_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["remove", "github"]) == 2
    assert "no such file" in _out(capsys)[1]
    assert not config_file().exists()


def test_the_text_edits() -> None:
    assert remove_from_watch('watch = ["a", "b", "c"]\n', "b") == 'watch = ["a", "c"]\n'
    assert remove_from_watch('watch = ["a", "b"]  # x\n', "b") == 'watch = ["a"]  # x\n'
    assert remove_from_watch('watch = ["a"]\n', "z") is None
    assert remove_from_watch("[t]\nwatch = ['a']\n", "a") is None  # not the top-level list
    text = 'a = 1\n\n# Added by `statuswatch add https://x`\n[providers.x]\nname = "X"\n'
    assert remove_table(text, "providers.x") == "a = 1\n"
    twice = '[providers.x]\nname = "X"\n[providers.x]\nname = "Y"\n'
    assert remove_table(twice, "providers.x") is None  # not plain enough to touch
    # A comment right above the next table is that table's: it stays.
    text = '[providers.x]\nname = "X"\n\n# ours\n[providers.y]\nname = "Y"\n'
    assert remove_table(text, "providers.x") == '# ours\n[providers.y]\nname = "Y"\n'


def test_a_file_that_stays_private(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = config_file()
    path.write_text(MINE)
    path.chmod(0o600)
    assert main(["remove", "openai"]) == 0
    assert path.stat().st_mode & 0o777 == 0o600
    capsys.readouterr()
