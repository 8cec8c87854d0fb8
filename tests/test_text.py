"""The sanitiser: nothing a status page sends can reach a terminal as a control sequence."""

import unicodedata

import pytest

from statuswatch.text import one_line, plain_text, safe_url, strip_controls

HOSTILE = [
    ("\x1b[31mred\x1b[0m", "red"),
    ("\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\", "click"),
    ("\x1b]0;pwned title\x07after", "after"),
    ("\x9b31mC1 CSI", "C1 CSI"),
    ("\x9d0;osc\x9c tail", " tail"),
    ("bell\x07 and nul\x00", "bell and nul"),
    ("right\u202eto-left\u202c", "rightto-left"),
    ("zero\u200bwidth\u2066isolate\u2069", "zerowidthisolate"),
    ("\x1bPdcs payload\x1b\\done", "done"),
    ("lone escape \x1b", "lone escape "),
]


@pytest.mark.parametrize(("raw", "expected"), HOSTILE)
def test_strip_controls_removes_sequences_whole(raw: str, expected: str) -> None:
    assert strip_controls(raw) == expected


def test_no_control_character_survives_any_input() -> None:
    every_char = "".join(chr(c) for c in range(0x3000)) + "\ufeff\ufff9"
    cleaned = plain_text(every_char, limit=100_000)
    bad = [c for c in cleaned if unicodedata.category(c) == "Cc" and c not in "\n\t"]
    assert bad == []
    assert "\x1b" not in cleaned and "\u202e" not in cleaned


def test_markup_stays_literal() -> None:
    text = "[bold]x[/bold] [link=https://e.example]y[/link] [@click=app.quit]z[/]"
    assert one_line(text) == text


def test_html_bodies_become_plain_text() -> None:
    body = "We are investigating.<br />Next line &amp; more<br><b>bold</b>\n\n\n\nend"
    assert plain_text(body) == "We are investigating.\nNext line & more\nbold\n\nend"


def test_entities_cannot_smuggle_escapes() -> None:
    # HTML5 drops the ESC reference and maps the C1 one to a printable quote mark.
    cleaned = plain_text("&#27;[31mred &#x9b;1m &#x1b;]8;;x")
    assert "\x1b" not in cleaned and "\x9b" not in cleaned
    assert cleaned.startswith("[31mred ")


def test_length_is_capped() -> None:
    assert len(plain_text("a" * 50_000)) == 20_000
    assert one_line("b" * 1_000).endswith("…")
    assert len(one_line("b" * 1_000)) == 500


def test_one_line_folds_newlines_and_handles_none() -> None:
    assert one_line("a\n b\r\nc") == "a b c"
    assert one_line(None) == ""
    assert one_line(42) == "42"


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://www.githubstatus.com/incidents/x", True),
        ("http://127.0.0.1:8080/a", True),
        ("javascript:alert(1)", False),
        ("file:///etc/passwd", False),
        ("https://e.example/\x1b[31m", False),
        ("https://e.example/a b", False),
        (None, False),
        (42, False),
    ],
)
def test_safe_url_only_http(url: object, ok: bool) -> None:
    assert (safe_url(url) is not None) is ok


def test_markdown_autolinks_and_lone_brackets_are_text() -> None:
    body = "See <https://status.example.com/x> for 1 < 2 <!-- hidden --> and <p class='a'>p</p>"
    assert plain_text(body) == "See <https://status.example.com/x> for 1 < 2 and p"


def test_fast_path_gives_what_the_full_cleaning_gives(monkeypatch: pytest.MonkeyPatch) -> None:
    import random
    import re

    import statuswatch.text as text

    # Every kind of character either fast path must catch: markup, controls, C1, bidi,
    # zero-width, tags, separators (NBSP, ideographic, line/paragraph), BOM, surrogates.
    alphabet = (
        "ab <>&;#x1b[]()\n\n\n\t\r\x1b\x9b\x85\u202e\u200b\xa0\u3000\u2028\u2029\u180e"
        "\u061c\ufeff\ufff9\U000e0041\ud800\ue000é /p"
    )
    rng = random.Random(7)
    samples = [
        "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12))) for _ in range(6000)
    ]
    samples += ["Elevated errors", " lead", "trail ", "two  spaces", "x" * 600, "", "é"]

    def outputs() -> list[tuple[str, str, str, str]]:
        return [
            (text.plain_text(s), text.plain_text(s, 500), text.one_line(s), text.one_line(s, 5))
            for s in samples
        ]

    fast = outputs()
    monkeypatch.setattr(text, "_NEEDS_WORK", re.compile(""))  # matches everything: no fast path
    monkeypatch.setattr(text, "_clean_line", lambda value, limit: False)
    assert fast == outputs()


def test_markdown_links_read_as_text_and_url() -> None:
    # incident.io's and Google Cloud's bodies are Markdown: shown as a mail client would.
    openai = 'email [support@openai.com](mailto:support@openai.com "support@openai.com").'
    assert plain_text(openai) == "email support@openai.com."
    google = "please [contact us](https://support.google.com/cloud/contact)."
    assert plain_text(google) == "please contact us (https://support.google.com/cloud/contact)."
    assert one_line("[Status](https://x.example/s) [here](<https://x.example/h>)") == (
        "Status (https://x.example/s) here (https://x.example/h)"
    )
    # Only web and mail links; anything else keeps its words and loses its target.
    assert plain_text("[click](javascript:void) now") == "click now"
    # Brackets that are not a link are left alone.
    assert plain_text("[RESOLVED] API (EU)") == "[RESOLVED] API (EU)"
