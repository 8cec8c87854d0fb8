"""@record: a frozen, slotted dataclass in every way a program can see, its methods shared."""

from __future__ import annotations

import copy
import dataclasses
import inspect
import pickle
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest

from statuswatch.model import Component, Phase, Status, Update
from statuswatch.records import record

PACKAGE = Path(__file__).resolve().parent.parent / "statuswatch"


@dataclass(frozen=True, slots=True)
class Plain:
    """The same fields as a dataclass..."""

    a: int
    b: str = "x"
    c: list[int] = field(default_factory=list, compare=False)
    d: int = field(default=3, repr=False)
    e: tuple[int, ...] = field(default=(), hash=False)


@record
class Kept:
    """...and as a record."""

    a: int
    b: str = "x"
    c: list[int] = field(default_factory=list, compare=False)
    d: int = field(default=3, repr=False)
    e: tuple[int, ...] = field(default=(), hash=False)


@record
class One:
    """A record of one field."""

    only: str


@record
class Empty:
    """A record of none."""


def _pair(*args: object, **kwargs: object) -> tuple[Plain, Kept]:
    return Plain(*args, **kwargs), Kept(*args, **kwargs)  # type: ignore[arg-type]


def test_built_equal_hashed_and_shown_as_the_dataclass() -> None:
    for args, kwargs in [((1,), {}), ((2, "y"), {"c": [5], "d": 4, "e": (1,)})]:
        plain, kept = _pair(*args, **kwargs)
        assert dataclasses.astuple(kept) == dataclasses.astuple(plain)
        assert dataclasses.asdict(kept) == dataclasses.asdict(plain)
        assert repr(kept).replace("Kept", "Plain") == repr(plain)
    plain, kept = _pair(1, c=[1])
    assert kept == Kept(1, c=[2]) and plain == Plain(1, c=[2])  # c is not compared
    assert kept != Kept(1, "y") and plain != Plain(1, "y")
    assert kept != plain and kept != (1, "x", [1], 3, ())  # another class is never equal
    assert hash(kept) == hash(Kept(1, e=(9,)))  # e is compared but not hashed
    assert hash(One("a")) == hash(One("a")) and One("a") != One("b")
    assert Empty() == Empty() and hash(Empty()) == hash(())
    assert repr(Empty()).endswith("Empty()") and repr(One("a")).endswith("One(only='a')")


def test_the_signature_defaults_and_errors_are_the_dataclasss() -> None:
    assert str(inspect.signature(Kept)) == str(inspect.signature(Plain))
    assert Kept.__match_args__ == Plain.__match_args__
    assert Kept.__slots__ == Plain.__slots__
    assert Kept(1).c is not Kept(1).c  # a fresh list each time, from the factory
    for cls in (Plain, Kept):
        with pytest.raises(TypeError, match="missing 1 required positional argument: 'a'"):
            cls()  # type: ignore[call-arg]
        with pytest.raises(TypeError, match="unexpected keyword argument 'z'"):
            cls(1, z=2)  # type: ignore[call-arg]


def test_frozen_as_the_dataclass() -> None:
    plain, kept = _pair(1)
    for obj in (plain, kept):
        with pytest.raises(dataclasses.FrozenInstanceError, match="cannot assign to field 'a'"):
            obj.a = 2  # type: ignore[misc]
        with pytest.raises(dataclasses.FrozenInstanceError, match="cannot delete field 'b'"):
            del obj.b  # type: ignore[misc]
        assert not hasattr(obj, "__dict__")
    # Another name: the dataclass of 3.11 fails there on its own `super()` (a TypeError).
    with pytest.raises(dataclasses.FrozenInstanceError, match="cannot assign to field 'z'"):
        kept.z = 1  # type: ignore[attr-defined]


def test_replaced_copied_and_pickled() -> None:
    kept = Kept(1, "y", [3], 4, (5,))
    assert dataclasses.replace(kept, b="z") == Kept(1, "z", [3], 4, (5,))
    assert dataclasses.replace(kept, d=7).d == 7
    for protocol in range(2, pickle.HIGHEST_PROTOCOL + 1):
        back = pickle.loads(pickle.dumps(kept, protocol))
        assert back == kept and (back.c, back.d) == ([3], 4)
    deep = copy.deepcopy(kept)
    assert deep == kept and deep.c is not kept.c
    assert copy.copy(kept).c is kept.c
    assert dataclasses.is_dataclass(kept) and [f.name for f in dataclasses.fields(kept)] == list(
        "abcde"
    )


def test_what_it_cannot_write_is_refused() -> None:
    with pytest.raises(TypeError, match="plain ones"):

        @record
        class NotInit:
            """A field without init."""

            a: int = field(default=1, init=False)

    with pytest.raises(TypeError, match="plain ones"):

        @record
        class KeywordOnly:
            """A keyword-only field."""

            a: int = field(kw_only=True)

    with pytest.raises(TypeError, match="no __post_init__"):

        @record
        class Checked:
            """A check after init."""

            a: int

            def __post_init__(self) -> None:
                pass

    with pytest.raises(TypeError, match="non-default argument 'b' follows default argument"):

        @record
        class Misordered:
            """A required field after a defaulted one."""

            a: int = 1
            b: int  # type: ignore[misc]


def test_the_model_built_as_before() -> None:
    at = datetime(2026, 12, 6, tzinfo=UTC)
    component = Component("c1", "API", Status.DEGRADED)
    assert component == Component(id="c1", name="API", status=Status.DEGRADED, raw_status="")
    assert (component.raw_status, component.group) == ("", None)
    assert hash(component) == hash(Component("c1", "API", Status.DEGRADED, "", None))
    assert dataclasses.replace(component, group="Core").group == "Core"
    assert pickle.loads(pickle.dumps(component)) == component == copy.deepcopy(component)
    update = Update(at, Phase.MONITORING, "A fix is out.")
    assert dataclasses.astuple(update) == (at, Phase.MONITORING, "A fix is out.", "")
    assert repr(update).startswith("Update(at=datetime.datetime(2026, 12, 6")


def test_no_frozen_slotted_dataclass_is_left() -> None:
    # One way to declare an immutable value: a record (the dataclass spelling compiles six
    # methods per class at every start).
    left = [
        str(path.relative_to(PACKAGE))
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.name != "records.py"
        and "@dataclass(frozen=True, slots=True)" in path.read_text(encoding="utf-8")
    ]
    assert left == []


def test_importing_the_records_compiles_one_function_each() -> None:
    # What the decorator costs is what it compiles: one __init__ per class.
    assert "statuswatch.records" in sys.modules
    assert Kept.__init__.__code__.co_filename == "<string>"
    assert Kept.__eq__ is One.__eq__ is Empty.__eq__
    assert Kept.__repr__ is One.__repr__ and Kept.__hash__ is One.__hash__
