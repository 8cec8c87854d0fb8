"""A faster `__init__` for the frozen, slotted dataclasses a poll builds by the thousand."""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

__all__ = ["quick_init"]

_T = TypeVar("_T")


def quick_init(cls: type[_T]) -> type[_T]:
    """Give a frozen, slotted dataclass an `__init__` that sets each slot through its own
    descriptor; apply it above `@dataclass`.

    A frozen dataclass's own `__init__` calls `object.__setattr__` for each field (the class
    refuses its own `__setattr__`): 1.7 us for a `Component` of five fields against 0.5 us this
    way, and a page of 20 components is parsed (or read back from the cache) on every poll.
    The signature and the defaults are the dataclass's; a field without `init`, with a
    `default_factory` or keyword-only is refused, since this writes none of them.
    """
    params = dataclasses.fields(cls)  # type: ignore[arg-type]
    if not cls.__dataclass_params__.frozen or "__slots__" not in cls.__dict__:  # type: ignore[attr-defined]
        raise TypeError(f"{cls.__name__} is not a frozen, slotted dataclass")
    names: dict[str, Any] = {}
    arguments: list[str] = []
    lines: list[str] = []
    for field in params:
        if not field.init or field.kw_only or field.default_factory is not dataclasses.MISSING:
            raise TypeError(f"{cls.__name__}.{field.name}: only plain fields are supported")
        names[f"_set_{field.name}"] = cls.__dict__[field.name].__set__
        if field.default is dataclasses.MISSING:
            arguments.append(field.name)
        else:
            names[f"_default_{field.name}"] = field.default
            arguments.append(f"{field.name}=_default_{field.name}")
        lines.append(f"    _set_{field.name}(self, {field.name})")
    # The field names are the class's own identifiers, never data: the text is ours.
    source = f"def __init__(self, {', '.join(arguments)}):\n" + "\n".join(lines or ["    pass"])
    exec(source, names)
    init = names["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__module__ = cls.__module__
    init.__doc__ = cls.__init__.__doc__
    cls.__init__ = init  # type: ignore[method-assign]
    return cls
