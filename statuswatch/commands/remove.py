"""`statuswatch remove ID`: take a provider out of the user's config, the mirror of `add`.

The config file is edited as text (statuswatch.tomledit), so every comment and the layout
stay: the `[providers.<id>]` table goes (with the comment `add` wrote above it) and the id
leaves a top-level `watch` list. The new text must load as the old config without that
provider, or nothing is written; the file is replaced atomically.
"""

from __future__ import annotations

import argparse

from statuswatch.console import error, write
from statuswatch.exitcodes import ExitCode

NAME = "remove"
HELP = "take a provider out of your config: its table and its place in `watch` (see add)"
ORDER = 31

EPILOG = """\
examples:
  statuswatch remove example          # a provider `statuswatch add` wrote
  statuswatch remove cloudflare       # a catalog provider: out of your watch list

Your comments and layout are kept; the file is replaced atomically, or left as it was.
exit codes: 0 removed; 1 the file could not be edited or written (nothing is written);
2 an unknown id, a bad config file, or an id your config does not name.
"""


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the id."""
    parser.epilog = EPILOG
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("provider_id", metavar="ID", help="the provider to take out")


def run(args: argparse.Namespace) -> int:
    """Edit the config file and say what was taken out."""
    from statuswatch.atomic import atomic_write
    from statuswatch.catalog import catalog
    from statuswatch.config import ConfigError, load_config
    from statuswatch.paths import config_file
    from statuswatch.tomlcheck import match_id, read_toml, unknown_provider
    from statuswatch.tomledit import bare_key, remove_from_watch, remove_table

    path = config_file()
    try:
        config = load_config(path, must_exist=True)
    except ConfigError as exc:
        return error(str(exc))
    provider_id = match_id(args.provider_id, list(config.providers))
    if provider_id is None:
        return error(unknown_provider(args.provider_id, list(config.providers)))
    try:
        before = path.read_text(encoding="utf-8")
        document = read_toml(path, before.encode("utf-8"))
    except (OSError, UnicodeDecodeError, ConfigError) as exc:
        return error(f"{path}: cannot read: {exc}", ExitCode.FAILURE)
    providers = document.get("providers")
    has_table = isinstance(providers, dict) and provider_id in providers
    watch = document.get("watch")
    watched = isinstance(watch, list) and provider_id in watch
    if not has_table and not watched:
        if provider_id in config.watch:  # no `watch` list: the catalog's default set
            return error(
                f"{provider_id!r} is polled as one of the default set ({path} has no `watch` "
                "list): write a `watch` list without it (`statuswatch config init` writes one)"
            )
        return error(f"{path} does not name {provider_id!r}: nothing to remove")
    table = f"[providers.{bare_key(provider_id)}]"
    text: str | None = before
    if has_table and text is not None:
        text = remove_table(text, f"providers.{bare_key(provider_id)}")
    if watched and text is not None:
        text = remove_from_watch(text, provider_id)
    if text is None:
        return error(
            f"{path}: {provider_id!r} is not written plainly enough to take out safely; "
            "edit the file by hand (nothing written)",
            ExitCode.FAILURE,
        )
    expected = dict(document)
    if has_table and isinstance(providers, dict):
        expected["providers"] = {k: v for k, v in providers.items() if k != provider_id}
        if not expected["providers"]:
            expected.pop("providers")
    if watched and isinstance(watch, list):
        expected["watch"] = [item for item in watch if item != provider_id]
    try:
        if read_toml(path, text.encode("utf-8")) != expected:
            return error(
                f"{path}: the edit would change more than {provider_id!r}; edit the file by "
                "hand (nothing written)",
                ExitCode.FAILURE,
            )
        _loads(path, text)
    except ConfigError as exc:
        # Something else still names it (a [notify] channel's providers, say).
        return error(f"{path}: without {provider_id!r} the config would not load: {exc.problem}")
    try:
        if path.read_text(encoding="utf-8") != before:
            return error(f"{path}: the file changed while statuswatch was editing it")
        atomic_write(path, text.encode("utf-8"))  # it keeps its permission bits
    except OSError as exc:
        return error(f"{path}: cannot write: {exc.strerror or exc}", ExitCode.FAILURE)
    if has_table:
        lines = [f"removed {table} from {path}"]
        if watched:
            lines.append(f'  "{provider_id}" taken out of your watch list')
    else:
        lines = [f'"{provider_id}" taken out of your watch list in {path}']
    if has_table and provider_id in catalog():
        lines.append(f"  {provider_id!r} is in the catalog: its built-in entry applies again")
    write("\n".join(lines) + "\n")
    return ExitCode.OK


def _loads(path: object, text: str) -> None:
    """ConfigError if `text` does not load as a config (checked on a copy, never in place)."""
    import tempfile
    from pathlib import Path

    from statuswatch.config import ConfigError, load_config

    with tempfile.TemporaryDirectory() as directory:
        trial = Path(directory) / "config.toml"
        trial.write_text(text, encoding="utf-8")
        try:
            load_config(trial)
            # The front ends' own tables too: a channel may name the provider.
            from statuswatch.notify.configparse import notify_settings

            notify_settings(load_config(trial))
        except ConfigError as exc:
            raise ConfigError(str(path), exc.key, exc.problem) from None
