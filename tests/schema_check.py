"""Validation of documents against the shipped JSON Schema, for every test that reads one."""

from typing import Any

import jsonschema

from statuswatch.document.schema import load_schema

_VALIDATOR = jsonschema.Draft202012Validator(load_schema())


def assert_valid(document: Any) -> None:
    """Fail with every schema error listed if `document` does not validate."""
    errors = sorted(_VALIDATOR.iter_errors(document), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)
