"""The bundled scenarios, by id; each module defines one `SCENARIO`."""

from __future__ import annotations

import importlib

from statuswatch.demo.script import Scenario

# id -> module, in the order `demo list` shows them; the first is the default.
SCENARIOS: dict[str, str] = {
    "cloudflare-2025-11-18": "statuswatch.demo.scenarios.cloudflare_2025_11_18",
    "aws-us-east-1-2025-10-20": "statuswatch.demo.scenarios.aws_us_east_1_2025_10_20",
    "gcp-cloudflare-2025-06-12": "statuswatch.demo.scenarios.gcp_cloudflare_2025_06_12",
}
DEFAULT = "cloudflare-2025-11-18"


def names() -> list[str]:
    """Every scenario id, the default first."""
    return list(SCENARIOS)


def load(scenario_id: str) -> Scenario:
    """Return the scenario `scenario_id`; KeyError if there is none."""
    scenario: Scenario = importlib.import_module(SCENARIOS[scenario_id]).SCENARIO
    return scenario
