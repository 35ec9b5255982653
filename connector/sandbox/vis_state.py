"""Which phase of an update a PUT activates: FreshBooks applies exactly one, silently.

FreshBooks splits updates into phases, in this order of precedence: ``ext_vis_state``,
``vis_state``, actions (such as sending an invoice), then plain data. The first phase whose
field is present is the only one applied and every other field of the PUT is dropped without a
word, even when ``vis_state`` carries the value the record already has (freshbooks-api.md
section 4, FB-VIS). Every resource's PUT route goes through ``apply_update``.

What ``ext_vis_state`` changes is not documented; the sandbox records nothing for it and
keeps only the observable part of the rule: it wins, so the rest of the PUT is dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from enum import Enum
from typing import Any, TypeVar

from connector.sandbox.validation import BodyReader

R = TypeVar("R")


class UpdatePhase(Enum):
    EXT_VIS_STATE = "ext_vis_state"
    VIS_STATE = "vis_state"
    ACTION = "action"
    DATA = "data"


def update_phase(body: Mapping[str, Any], actions: Iterable[str] = ()) -> UpdatePhase:
    """The phase a PUT body activates; an action counts only when it is asked for (truthy)."""
    if "ext_vis_state" in body:
        return UpdatePhase.EXT_VIS_STATE
    if "vis_state" in body:
        return UpdatePhase.VIS_STATE
    if any(body.get(action) for action in actions):
        return UpdatePhase.ACTION
    return UpdatePhase.DATA


def check_ext_vis_state(reader: BodyReader) -> None:
    """Its values are undocumented; FreshBooks' state fields are numbers, so others are a 422."""
    reader.integer("ext_vis_state")


def apply_update(
    reader: BodyReader,
    record: R,
    *,
    vis_state: Callable[[int], R],
    data: Callable[[], R],
    actions: Mapping[str, Callable[[], R]] | None = None,
) -> R:
    """Apply the one phase the PUT activates; the record as it then stands.

    ``vis_state`` sets the state, ``data`` applies the plain fields, and ``actions`` maps each
    action field (``action_email``) to what it does. ``ext_vis_state`` changes nothing.
    """
    actions = actions or {}
    phase = update_phase(reader.body, actions)
    if phase is UpdatePhase.EXT_VIS_STATE:
        check_ext_vis_state(reader)
        return record
    if phase is UpdatePhase.VIS_STATE:
        return vis_state(reader.vis_state())
    if phase is UpdatePhase.ACTION:
        return next(act for name, act in actions.items() if reader.body.get(name))()
    return data()
