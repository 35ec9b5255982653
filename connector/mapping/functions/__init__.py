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
from importlib.metadata import EntryPoint, entry_points

from connector.errors import ConfigurationError
from connector.mapping.values import Compiled, Kind

ENTRY_POINT_GROUP = "ml_connector.functions"
BUILTIN_HOOKS = (
    "connector.mapping.functions.text",
    "connector.mapping.functions.dates",
    "connector.mapping.functions.money",
    "connector.mapping.functions.numbers",
    "connector.mapping.functions.nulls",
)
REQUIRED = object()


@dataclass(frozen=True)
class Param:
    """One parameter; `constant` ones must be literals (a date format, a number of places)."""

    name: str
    kinds: frozenset[Kind]
    default: object = REQUIRED
    constant: bool = False
    # Parts of a money value the function reads besides its amount (currency reads "code"), so
    # the frame builder fetches them as it does for `invoice.amount.code`.
    money_parts: frozenset[str] = frozenset()

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    @property
    def kinds_text(self) -> str:
        """The kinds it accepts as words; every function accepts a missing value, so not named."""
        named = sorted(str(kind) for kind in self.kinds if kind is not Kind.NULL)
        return "any" if len(named) == len(Kind) - 1 else " or ".join(named)


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
    # How the result's kind follows the arguments, for functions whose `result` is only typical.
    result_note: str | None = None

    @property
    def result_text(self) -> str:
        return self.result_note or str(self.result)

    def signature(self) -> str:
        parts = []
        for param in self.params:
            everything = len(param.kinds) == len(Kind)
            kinds = "any" if everything else " or ".join(sorted(map(str, param.kinds)))
            text = f"{param.name}: {kinds}"
            parts.append(text if param.required else f"{text} = {param.default!r}")
        return f"{self.name}({', '.join(parts)}) -> {self.result_text}"


def numbered_params(
    stem: str, kinds: frozenset[Kind], *, required: int, total: int
) -> tuple[Param, ...]:
    """`stem1 .. stemN` for functions that take a list of values (concat, coalesce).

    The call binder matches arguments to parameters by position; numbered optional parameters
    let such functions take up to `total` values while each one is still kind-checked.
    """
    return tuple(
        Param(f"{stem}{i}", kinds, default=REQUIRED if i <= required else None)
        for i in range(1, total + 1)
    )


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


def builtin_registry() -> FunctionRegistry:
    """The functions that ship with the connector, without any plugin's."""
    from importlib import import_module

    registry = FunctionRegistry()
    for module in BUILTIN_HOOKS:
        import_module(module).register(registry)
    return registry


@cache
def default_registry() -> FunctionRegistry:
    """Built-ins first, then every installed plugin's hook from the entry point group."""
    registry = builtin_registry()
    for entry_point in entry_points(group=ENTRY_POINT_GROUP):
        _plugin_hook(entry_point)(registry)
    return registry


class PluginLoadError(ConfigurationError):
    """An installed function plugin cannot be imported or does not offer a register hook."""


def _plugin_hook(entry_point: EntryPoint) -> Callable[[FunctionRegistry], None]:
    """The plugin's `register(registry)`: the entry point names it, or a module that defines it."""
    where = f"{entry_point.name} = {entry_point.value!r} ({ENTRY_POINT_GROUP})"
    try:
        loaded = entry_point.load()
    except Exception as error:  # a broken plugin must not hide which one it is
        raise PluginLoadError(
            f"the mapping function plugin {where} cannot be loaded: {error}",
            hint="reinstall or uninstall the package that declares this entry point",
        ) from error
    hook = getattr(loaded, "register", loaded)
    if not callable(hook):
        raise PluginLoadError(
            f"the mapping function plugin {where} is not a register(registry) function",
            hint="point the entry point at a module with register(registry), or at that function",
        )
    return hook
