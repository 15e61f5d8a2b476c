"""Records the core builds itself, from values already in their types: made without pydantic's validation pass.

Pydantic checks what comes in at the edges (a workbook, a JSON file); a record the summary builds per rep (a rep's
week, a monthly pace) holds numbers and statuses the core has just computed, and checking them again cost a tenth
of a 10,000-rep summary. ``built`` makes the same record validation would (tests/core/test_records.py holds them
equal, type for type), with each default a fresh copy as validation gives it."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

M = TypeVar("M", bound=BaseModel)
# per record type, in the fields' order: (name, how its default is made: None when it must be given)
_FIELDS: dict[type, tuple[tuple[str, Callable[[], Any] | None], ...]] = {}


def _default(info: Any) -> Callable[[], Any] | None:
    if info.default_factory is not None:
        return info.default_factory  # type: ignore[no-any-return]
    default = info.default
    if default is PydanticUndefined:
        return None
    if isinstance(default, list | dict | set):
        return lambda: copy.deepcopy(default)
    return lambda: default


def built(model: type[M], **given: Any) -> M:
    """``model(**given)`` for fields already in their types, without the validation pass. A field left out takes
    its default (a list, dict or set copied, never shared between records)."""
    fields = _FIELDS.get(model)
    if fields is None:
        fields = _FIELDS[model] = tuple((name, _default(info)) for name, info in model.model_fields.items())
    values, made = {}, 0
    for name, default in fields:
        if name in given:
            values[name] = given[name]
        elif default is None:
            raise TypeError(f"{model.__name__}: {name} must be given")
        else:
            values[name] = default()
            made += 1
    if len(given) != len(values) - made:
        raise TypeError(f"{model.__name__} has no field {sorted(set(given) - set(values))}")
    record = model.__new__(model)
    object.__setattr__(record, "__dict__", values)
    object.__setattr__(record, "__pydantic_fields_set__", set(given))
    object.__setattr__(record, "__pydantic_extra__", None)
    object.__setattr__(record, "__pydantic_private__", None)
    return record
