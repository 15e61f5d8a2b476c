"""Records the core builds itself, from values already in their types: made without pydantic's validation pass.

Pydantic checks what comes in at the edges (a workbook, a JSON file); a rep's week, which the summary builds per
rep, holds numbers and statuses the core has just computed, and checking its many dicts again cost a tenth of a
10,000-rep summary (a small record, a monthly pace, validates faster than this makes it: it is left to pydantic).
``built`` makes the same record validation would (tests/core/test_records.py holds them equal, type for type),
with each default a fresh copy as validation gives it. Pydantic's own ``model_construct`` skips validation too,
but measured slower than validating (15.6 against 14.2 µs for a RepWeek; this: 3.3 µs)."""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)
_REQUIRED = object()  # in a template: a field with no default, which must be given


class _Template:
    """A record type's fields in order, each with its default (``_REQUIRED`` where it has none), and how the
    defaults that must not be shared (a list, dict or set, a factory's) are made fresh."""

    def __init__(self, model: type[BaseModel]) -> None:
        self.values: dict[str, Any] = {}
        self.fresh: list[tuple[str, Callable[[], Any]]] = []
        for name, info in model.model_fields.items():
            default = info.default
            if info.default_factory is not None:
                self.fresh.append((name, info.default_factory))  # type: ignore[arg-type]
            elif isinstance(default, list | dict | set):  # an empty one made anew, else a deep copy
                self.fresh.append((name, type(default) if not default else functools.partial(copy.deepcopy,
                                                                                           default)))
            self.values[name] = _REQUIRED if info.is_required() or info.default_factory is not None else default
        self.required = {name for name, value in self.values.items() if value is _REQUIRED} - {
            name for name, _ in self.fresh}


_TEMPLATES: dict[type, _Template] = {}


def built(model: type[M], **given: Any) -> M:
    """``model(**given)`` for fields already in their types, without the validation pass. A field left out takes
    its default (a list, dict or set copied, never shared between records)."""
    template = _TEMPLATES.get(model)
    if template is None:
        template = _TEMPLATES[model] = _Template(model)
    values = template.values.copy()  # the fields' order, as validation gives it
    values.update(given)
    if len(values) != len(template.values) or not template.required <= given.keys():
        unknown = sorted(set(given) - set(template.values))
        raise TypeError(f"{model.__name__}: " + (f"no field {unknown}" if unknown else
                                                 f"{sorted(template.required - set(given))} must be given"))
    for name, make in template.fresh:
        if name not in given:
            values[name] = make()
    record = model.__new__(model)
    object.__setattr__(record, "__dict__", values)
    object.__setattr__(record, "__pydantic_fields_set__", set(given))
    object.__setattr__(record, "__pydantic_extra__", None)
    object.__setattr__(record, "__pydantic_private__", None)
    return record
