"""quick_init: the model's most built dataclasses keep their dataclass behaviour, faster."""

from __future__ import annotations

import copy
import dataclasses
import inspect
import pickle
from datetime import UTC, datetime

import pytest

from statuswatch import model
from statuswatch.model import Component, Phase, Status, Update
from statuswatch.quickinit import quick_init

# The classes whose __init__ is quick_init's: it sets each field through `_set_<name>`.
QUICK = [
    cls
    for cls in vars(model).values()
    if inspect.isclass(cls)
    and dataclasses.is_dataclass(cls)
    and any(name.startswith("_set_") for name in cls.__init__.__code__.co_names)
]


def test_the_most_built_classes_have_it() -> None:
    names = {cls.__name__ for cls in QUICK}
    assert names == {"Update", "Component", "Incident", "Maintenance", "Page", "ProviderReport"}


@pytest.mark.parametrize("cls", QUICK, ids=lambda cls: cls.__name__)
def test_the_signature_is_the_dataclasss(cls: type) -> None:
    expected = [
        inspect.Parameter(
            f.name,
            inspect.Parameter.POSITIONAL_OR_KEYWORD,
            default=inspect.Parameter.empty if f.default is dataclasses.MISSING else f.default,
        )
        for f in dataclasses.fields(cls)
    ]
    assert list(inspect.signature(cls).parameters.values()) == expected


def test_built_as_a_dataclass_would_be() -> None:
    at = datetime(2026, 12, 6, tzinfo=UTC)
    component = Component("c1", "API", Status.DEGRADED)
    assert component == Component(id="c1", name="API", status=Status.DEGRADED, raw_status="")
    assert (component.raw_status, component.group) == ("", None)
    assert hash(component) == hash(Component("c1", "API", Status.DEGRADED, "", None))
    assert dataclasses.replace(component, group="Core").group == "Core"
    assert pickle.loads(pickle.dumps(component)) == component == copy.deepcopy(component)
    update = Update(at, Phase.MONITORING, "A fix is out.")
    assert dataclasses.astuple(update) == (at, Phase.MONITORING, "A fix is out.", "")
    with pytest.raises(dataclasses.FrozenInstanceError):
        component.name = "Web"  # type: ignore[misc]
    with pytest.raises(TypeError, match="missing 1 required positional argument: 'status'"):
        Component("c1", "API")  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="unexpected keyword argument 'colour'"):
        Component("c1", "API", Status.DEGRADED, colour="red")  # type: ignore[call-arg]


def test_only_frozen_slotted_classes_of_plain_fields() -> None:
    @dataclasses.dataclass(frozen=True)
    class NoSlots:
        a: int

    @dataclasses.dataclass(slots=True)
    class NotFrozen:
        a: int

    @dataclasses.dataclass(frozen=True, slots=True)
    class Factory:
        a: list[int] = dataclasses.field(default_factory=list)

    for cls in (NoSlots, NotFrozen, Factory):
        with pytest.raises(TypeError):
            quick_init(cls)
