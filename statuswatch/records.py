"""`@record`: a frozen, slotted dataclass whose methods are shared, not compiled per class.

Python 3.11's `@dataclass(frozen=True, slots=True)` writes six methods of each class as source
and compiles them when the module is imported: 0.77 ms a class on the bench machine, and the
`--json` path imports some fifty such classes, ~30 ms of every start. A record is the same
dataclass (`dataclasses.fields`, `replace`, `asdict` and `is_dataclass` see no difference) with
`__eq__`, `__hash__`, `__repr__`, the frozen `__setattr__`/`__delattr__` and the pickling pair
shared by every record, reading the field names its class keeps, and one compiled `__init__`
that sets each slot through its own descriptor (0.15 ms a class). That `__init__` is also the
faster one: a frozen dataclass's calls `object.__setattr__` per field (1.7 us for a five-field
`Component` against 0.5 us), and a poll builds thousands of model objects.
"""

from __future__ import annotations

import dataclasses
import operator
from collections.abc import Callable
from typing import Any, TypeVar, dataclass_transform

__all__ = ["record"]

_T = TypeVar("_T")
_Values = Callable[[Any], tuple[Any, ...]]


class _Factory:
    """The default a field with a `default_factory` shows in `__init__`'s signature."""

    def __repr__(self) -> str:
        return "<factory>"


_FACTORY = _Factory()


@dataclass_transform(frozen_default=True, field_specifiers=(dataclasses.field,))
def record(cls: type[_T]) -> type[_T]:
    """Make `cls` a record: what `@dataclass(frozen=True, slots=True)` would make of it.

    Its fields may have defaults, default factories and `compare`, `hash` and `repr` set; a
    field without `init`, a keyword-only field or a `__post_init__` is refused (TypeError),
    since the shared `__init__` writes none of them.
    """
    # Typed as Any: the methods are set on the class the dataclass machinery returns.
    made: Any = dataclasses.dataclass(init=False, repr=False, eq=False, slots=True)(cls)
    fields = dataclasses.fields(made)
    if "__post_init__" in made.__dict__:
        raise TypeError(f"{made.__name__}: a record has no __post_init__")
    compared = tuple(f.name for f in fields if f.compare)
    hashed = tuple(f.name for f in fields if (f.compare if f.hash is None else f.hash))
    # Static: a function kept on a class would otherwise be bound to each instance.
    made.__record_compared__ = staticmethod(_values(compared))
    made.__record_hashed__ = staticmethod(_values(hashed))
    made.__record_shown__ = tuple(f.name for f in fields if f.repr)
    made.__init__ = _init(made, fields)
    made.__eq__ = _eq
    made.__hash__ = _hash
    made.__repr__ = _repr
    made.__setattr__ = _setattr
    made.__delattr__ = _delattr
    made.__getstate__ = _getstate
    made.__setstate__ = _setstate
    kept: type[_T] = made
    return kept


def _values(names: tuple[str, ...]) -> _Values:
    """A function giving an object's values of `names`, as a tuple (as a dataclass compares)."""
    if len(names) > 1:
        return operator.attrgetter(*names)
    if names:
        get = operator.attrgetter(names[0])
        return lambda obj: (get(obj),)
    return lambda obj: ()


def _init(cls: type, fields: tuple[dataclasses.Field[Any], ...]) -> Callable[..., None]:
    """`cls`'s `__init__`: the dataclass's signature, each slot set through its descriptor."""
    namespace: dict[str, Any] = {"_FACTORY": _FACTORY}
    parameters: list[str] = []
    lines: list[str] = []
    defaulted = ""
    for index, field in enumerate(fields):
        name = field.name
        if not field.init or field.kw_only or name == "self":
            raise TypeError(f"{cls.__name__}.{name}: a record's fields are plain ones")
        namespace[f"_set{index}"] = cls.__dict__[name].__set__
        value = name
        if field.default is not dataclasses.MISSING:
            namespace[f"_default{index}"] = field.default
            parameters.append(f"{name}=_default{index}")
            defaulted = name
        elif field.default_factory is not dataclasses.MISSING:
            namespace[f"_factory{index}"] = field.default_factory
            parameters.append(f"{name}=_FACTORY")
            value = f"_factory{index}() if {name} is _FACTORY else {name}"
            defaulted = name
        elif defaulted:
            raise TypeError(f"non-default argument {name!r} follows default argument")
        else:
            parameters.append(name)
        lines.append(f"    _set{index}(self, {value})")
    # The text is made of the class's own field names (identifiers), never of data.
    source = f"def __init__(self, {', '.join(parameters)}):\n" + "\n".join(lines or ["    pass"])
    exec(source, namespace)
    init: Callable[..., None] = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__module__ = cls.__module__
    init.__annotations__ = {field.name: field.type for field in fields} | {"return": None}
    return init


def _eq(self: Any, other: Any) -> object:
    if other.__class__ is self.__class__:
        compared: _Values = self.__record_compared__
        return compared(self) == compared(other)
    return NotImplemented


def _hash(self: Any) -> int:
    return hash(self.__record_hashed__(self))


def _repr(self: Any) -> str:
    cls = self.__class__
    shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in cls.__record_shown__)
    return f"{cls.__qualname__}({shown})"


def _setattr(self: Any, name: str, value: object) -> None:
    raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")


def _delattr(self: Any, name: str) -> None:
    raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")


def _getstate(self: Any) -> list[Any]:
    return [getattr(self, field.name) for field in dataclasses.fields(self)]


def _setstate(self: Any, state: list[Any]) -> None:
    for field, value in zip(dataclasses.fields(self), state, strict=False):
        object.__setattr__(self, field.name, value)
