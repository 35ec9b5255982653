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
    # The last parameter may repeat: it takes every positional argument left over (concat's
    # values), each one kind-checked; optional unless it has no default (then at least one).
    variadic: bool = False

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
    """What a function's compile step receives: compiled values and the constants' Python values.

    `repeated` holds the values given to a variadic last parameter, in the order written.
    """

    values: dict[str, Compiled]
    constants: dict[str, object]
    repeated: tuple[Compiled, ...] = ()


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

    def __post_init__(self) -> None:
        for param in self.params[:-1]:
            if param.variadic:
                raise FunctionDefinitionError(
                    f"mapping function {self.name!r}: only the last parameter may repeat, "
                    f"not {param.name!r}",
                    hint="move the repeating parameter to the end of params",
                )
        if self.params and self.params[-1].variadic and self.params[-1].constant:
            raise FunctionDefinitionError(
                f"mapping function {self.name!r}: a repeating parameter cannot be constant",
                hint="drop constant=True from the last parameter, or make it not repeat",
            )

    @property
    def result_text(self) -> str:
        return self.result_note or str(self.result)

    @property
    def variadic(self) -> Param | None:
        """The repeating last parameter, if the function takes any number of values."""
        last = self.params[-1] if self.params else None
        return last if last is not None and last.variadic else None

    def signature(self) -> str:
        parts = []
        for param in self.params:
            everything = len(param.kinds) == len(Kind)
            kinds = "any" if everything else " or ".join(sorted(map(str, param.kinds)))
            text = f"{param.name}: {kinds}"
            if param.variadic:
                parts.append(f"{text} ...")
            else:
                parts.append(text if param.required else f"{text} = {param.default!r}")
        return f"{self.name}({', '.join(parts)}) -> {self.result_text}"


class FunctionDefinitionError(ConfigurationError):
    """A function (built-in or from a plugin) whose parameters the binder cannot use."""


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
