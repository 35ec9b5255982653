"""The function registry: every function a mapping can call, built-in or from a plugin.

A function declares its parameters (name, accepted kinds, whether the mapping must give a constant)
and its result kind, so `check` can catch a wrong call before any data is read; `compile` turns the
compiled arguments into one polars expression. Built-ins register through `register(registry)`
hooks, exactly as third-party packages do through the `ml_connector.functions` entry point group.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib.metadata import entry_points

from connector.errors import ConfigurationError
from connector.mapping.values import Compiled, Kind

ENTRY_POINT_GROUP = "ml_connector.functions"
BUILTIN_HOOKS = (
    "connector.mapping.functions.text",
    "connector.mapping.functions.dates",
    "connector.mapping.functions.money",
)
REQUIRED = object()


@dataclass(frozen=True)
class Param:
    """One parameter; `constant` ones must be literals (a date format, a number of places)."""

    name: str
    kinds: frozenset[Kind]
    default: object = REQUIRED
    constant: bool = False

    @property
    def required(self) -> bool:
        return self.default is REQUIRED


@dataclass(frozen=True)
class Arguments:
    """What a function's compile step receives: compiled values and the constants' Python values."""

    values: dict[str, Compiled]
    constants: dict[str, object]


@dataclass(frozen=True)
class Function:
    name: str
    params: tuple[Param, ...]
    result: Kind
    compile: Callable[[Arguments], Compiled]
    summary: str
    # Returns a message when constant arguments make no sense (e.g. places: -1), else None.
    validate: Callable[[dict[str, object]], str | None] = field(default=lambda constants: None)

    def signature(self) -> str:
        parts = []
        for param in self.params:
            kinds = " or ".join(sorted(str(kind) for kind in param.kinds))
            text = f"{param.name}: {kinds}"
            parts.append(text if param.required else f"{text} = {param.default!r}")
        return f"{self.name}({', '.join(parts)}) -> {self.result}"


class DuplicateFunctionError(ConfigurationError):
    """Two plugins (or a plugin and a built-in) define the same function name."""


class FunctionRegistry:
    def __init__(self) -> None:
        self._functions: dict[str, Function] = {}

    def register(self, function: Function) -> None:
        if function.name in self._functions:
            raise DuplicateFunctionError(
                f"mapping function {function.name!r} is registered twice",
                hint="uninstall one of the plugins that define it, or rename one",
            )
        self._functions[function.name] = function

    def get(self, name: str) -> Function | None:
        return self._functions.get(name)

    def names(self) -> list[str]:
        return sorted(self._functions)

    def __iter__(self) -> Iterable[Function]:
        return iter(self._functions.values())


@cache
def default_registry() -> FunctionRegistry:
    """Built-ins first, then every installed plugin's hook from the entry point group."""
    from importlib import import_module

    registry = FunctionRegistry()
    for module in BUILTIN_HOOKS:
        import_module(module).register(registry)
    for entry_point in entry_points(group=ENTRY_POINT_GROUP):
        entry_point.load()(registry)
    return registry
