"""Segment-order and mandatory-element checks of one transaction set against its spec.

One pass over the segments drives a small state machine: a stack of open loops, each with the
position reached and the use counts so far. A segment is looked for forward in the innermost
loop, then as a new occurrence of that loop, then outward; what is found nowhere is unexpected,
out of order or unknown. The spec is compiled once into per-loop tables (tag -> positions) so
the walk does no dictionary building per segment.

Problems carry the standard's own codes, so acknowledgments copy them as they are:
X12 AK304/IK304 and AK403/IK403, and for EDIFACT the ISO 9735 syntax error codes (data
element 0085) that CONTRL's UCS and UCD report. Sources are listed in edi_specs/README.md.
"""

from __future__ import annotations

import datetime
import enum
import functools
import re
from dataclasses import dataclass

from connector.formats.edi import Segment, TransactionSet
from connector.formats.edi_specs import ElementRule, Position, SegmentRule, Spec


class Problem(enum.Enum):
    """What went wrong, independent of the standard that reports it."""

    UNRECOGNIZED_SEGMENT = "unrecognized segment ID"
    UNEXPECTED_SEGMENT = "unexpected segment"
    MANDATORY_SEGMENT_MISSING = "mandatory segment missing"
    LOOP_OVER_MAXIMUM = "loop occurs over maximum times"
    SEGMENT_OVER_MAXIMUM = "segment exceeds maximum use"
    SEGMENT_NOT_IN_SET = "segment not in defined transaction set"
    SEGMENT_OUT_OF_ORDER = "segment not in proper sequence"
    MANDATORY_ELEMENT_MISSING = "mandatory data element missing"
    TOO_MANY_ELEMENTS = "too many data elements"
    ELEMENT_TOO_SHORT = "data element too short"
    ELEMENT_TOO_LONG = "data element too long"
    INVALID_CHARACTER = "invalid character in data element"
    INVALID_CODE = "invalid code value"
    INVALID_DATE = "invalid date"
    INVALID_TIME = "invalid time"


_X12_CODES = {
    Problem.UNRECOGNIZED_SEGMENT: "1",
    Problem.UNEXPECTED_SEGMENT: "2",
    Problem.MANDATORY_SEGMENT_MISSING: "3",
    Problem.LOOP_OVER_MAXIMUM: "4",
    Problem.SEGMENT_OVER_MAXIMUM: "5",
    Problem.SEGMENT_NOT_IN_SET: "6",
    Problem.SEGMENT_OUT_OF_ORDER: "7",
    Problem.MANDATORY_ELEMENT_MISSING: "1",
    Problem.TOO_MANY_ELEMENTS: "3",
    Problem.ELEMENT_TOO_SHORT: "4",
    Problem.ELEMENT_TOO_LONG: "5",
    Problem.INVALID_CHARACTER: "6",
    Problem.INVALID_CODE: "7",
    Problem.INVALID_DATE: "8",
    Problem.INVALID_TIME: "9",
}

# ISO 9735 has no separate codes for unknown, unexpected and misplaced segments: each is a
# segment "not supported in this position" (15).
_EDIFACT_CODES = {
    Problem.UNRECOGNIZED_SEGMENT: "15",
    Problem.UNEXPECTED_SEGMENT: "15",
    Problem.MANDATORY_SEGMENT_MISSING: "13",
    Problem.LOOP_OVER_MAXIMUM: "36",
    Problem.SEGMENT_OVER_MAXIMUM: "35",
    Problem.SEGMENT_NOT_IN_SET: "15",
    Problem.SEGMENT_OUT_OF_ORDER: "15",
    Problem.MANDATORY_ELEMENT_MISSING: "13",
    Problem.TOO_MANY_ELEMENTS: "16",
    Problem.ELEMENT_TOO_SHORT: "40",
    Problem.ELEMENT_TOO_LONG: "39",
    Problem.INVALID_CHARACTER: "37",
    Problem.INVALID_CODE: "12",
    Problem.INVALID_DATE: "12",
    Problem.INVALID_TIME: "12",
}

_SEGMENT_LEVEL = frozenset(
    {
        Problem.UNRECOGNIZED_SEGMENT,
        Problem.UNEXPECTED_SEGMENT,
        Problem.MANDATORY_SEGMENT_MISSING,
        Problem.LOOP_OVER_MAXIMUM,
        Problem.SEGMENT_OVER_MAXIMUM,
        Problem.SEGMENT_NOT_IN_SET,
        Problem.SEGMENT_OUT_OF_ORDER,
    }
)


@dataclass(frozen=True, slots=True)
class SpecProblem:
    """One finding, located the way acknowledgments locate it.

    ``segment_number`` counts from the set's header (ST or UNH is 1). For a missing segment it
    is, in X12, the segment at which the absence showed, and in EDIFACT the last segment
    processed before it (as CONTRL's UCS wants). ``element`` and ``component`` are 1-based.
    """

    problem: Problem
    code: str
    message: str
    segment_number: int
    tag: str
    loop: str | None = None
    element: int | None = None
    component: int | None = None
    value: str | None = None

    @property
    def is_segment_level(self) -> bool:
        """True for AK3/UCS-level findings, False for AK4/UCD-level ones."""
        return self.problem in _SEGMENT_LEVEL


def check_transaction(transaction: TransactionSet, spec: Spec) -> list[SpecProblem]:
    """Every order, occurrence and element problem of ``transaction`` against ``spec``."""
    return _Walk(_compile(spec), spec).run(transaction.segments)


def check_segment(segment: Segment, spec: Spec, number: int = 1) -> list[SpecProblem]:
    """The element checks alone, for a segment that stands outside any set (TA1)."""
    rule = spec.segments.get(segment.tag)
    if rule is None:
        return []
    walk = _Walk(_compile(spec), spec)
    walk.elements(segment, rule, number, None)
    return walk.problems


@dataclass(slots=True)
class _Level:
    """A loop (or the body) compiled: its positions and, per tag, where that tag may stand."""

    loop: str | None
    trigger: str | None
    repeat: int | None
    positions: tuple[Position, ...]
    children: dict[int, _Level]
    index: dict[str, tuple[int, ...]]
    required: tuple[int, ...]


@dataclass(slots=True)
class _Compiled:
    root: _Level
    known: frozenset[str]


@dataclass(slots=True)
class _Frame:
    level: _Level
    position: int
    counts: list[int]
    occurrences: int


@functools.lru_cache(maxsize=64)
def _compile(spec: Spec) -> _Compiled:
    def build(loop: Position | None, members: list[Position]) -> _Level:
        positions: list[Position] = [loop] if loop else []
        children: dict[int, _Level] = {}
        index = 0
        while index < len(members):
            position = members[index]
            positions.append(position)
            if position.loop is not None:
                end = index + 1
                inner: list[Position] = []
                while end < len(members) and _inside(members[end], position.loop, by_loop):
                    inner.append(members[end])
                    end += 1
                children[len(positions) - 1] = build(position, inner)
                index = end
            else:
                index += 1
        tags: dict[str, list[int]] = {}
        for number, position in enumerate(positions):
            if loop is None or number > 0:  # a trigger again means a new occurrence
                tags.setdefault(position.tag, []).append(number)
        return _Level(
            loop=loop.loop if loop else None,
            trigger=loop.tag if loop else None,
            repeat=loop.repeat if loop else None,
            positions=tuple(positions),
            children=children,
            index={tag: tuple(numbers) for tag, numbers in tags.items()},
            required=tuple(n for n, p in enumerate(positions) if p.required),
        )

    by_loop = {position.loop: position for position in spec.positions if position.loop}
    return _Compiled(
        root=build(None, list(spec.positions)),
        known=frozenset(position.tag for position in spec.positions),
    )


def _inside(position: Position, loop: str, by_loop: dict[str, Position]) -> bool:
    parent = position.parent
    while parent is not None:
        if parent == loop:
            return True
        parent = by_loop[parent].parent
    return False


_TAG = re.compile(r"[A-Z][A-Z0-9]{1,2}")
_X12_INTEGER = re.compile(r"-?\d+")
_X12_DECIMAL = re.compile(r"-?(?:\d+\.?\d*|\.\d+)(?:E-?\d+)?")
_EDIFACT_NUMBER = re.compile(r"-?(?:\d+[.,]?\d*|[.,]\d+)")
_TIME = re.compile(r"([01]\d|2[0-3])[0-5]\d(?:[0-5]\d(?:\d{1,2})?)?")
_DIGITS = str.maketrans("", "", "-.,E")


class _Walk:
    """One pass over one set's segments; holds the loop stack and the findings."""

    def __init__(self, compiled: _Compiled, spec: Spec) -> None:
        self.compiled = compiled
        self.spec = spec
        self.codes = _X12_CODES if spec.standard == "x12" else _EDIFACT_CODES
        self.x12 = spec.standard == "x12"
        self.problems: list[SpecProblem] = []
        self.stack = [_Frame(compiled.root, 0, [0] * len(compiled.root.positions), 1)]
        self.last = 1

    def report(
        self,
        problem: Problem,
        detail: str,
        number: int,
        tag: str,
        loop: str | None,
        element: int | None = None,
        component: int | None = None,
        value: str | None = None,
    ) -> None:
        where = f"segment {number} ({tag})"
        if element is not None:
            where += f", element {element:02d}" + (f"-{component}" if component else "")
        self.problems.append(
            SpecProblem(
                problem=problem,
                code=self.codes[problem],
                message=f"{self.spec.code} {self.spec.version}: {where}: {detail}",
                segment_number=number,
                tag=tag,
                loop=loop,
                element=element,
                component=component,
                value=value,
            )
        )

    def run(self, segments: list[Segment]) -> list[SpecProblem]:
        for offset, segment in enumerate(segments):
            number = offset + 2
            if self.place(segment.tag, number):
                rule = self.spec.segments.get(segment.tag)
                if rule is not None:
                    self.elements(segment, rule, number, self.stack[-1].level.loop)
            self.last = number
        trailer = len(segments) + 2
        self.unwind(0, trailer)
        self.close(self.stack[0], trailer)
        return self.problems

    def place(self, tag: str, number: int) -> bool:
        """Move the state to ``tag``'s position; False (and a problem) when it has none."""
        for depth in range(len(self.stack) - 1, -1, -1):
            frame = self.stack[depth]
            level = frame.level
            target = None
            for candidate in level.index.get(tag, ()):
                if candidate >= frame.position:
                    target = candidate
                    break
            if target is None and level.trigger == tag and depth > 0:
                self.unwind(depth, number)
                self.close(frame, number)
                self.repeat_loop(frame, number)
                return True
            if target is None:
                continue
            self.unwind(depth, number)
            self.missing(frame, target, number)
            frame.position = target
            frame.counts[target] += 1
            position = level.positions[target]
            child = level.children.get(target)
            if child is not None:
                self.enter(frame, target, child, number)
            elif position.max_use is not None and frame.counts[target] > position.max_use:
                self.report(
                    Problem.SEGMENT_OVER_MAXIMUM,
                    f"{tag} is used {frame.counts[target]} times, at most {position.max_use}",
                    number,
                    tag,
                    level.loop,
                )
            return True
        self.unplaced(tag, number)
        return False

    def enter(self, frame: _Frame, target: int, child: _Level, number: int) -> None:
        occurrences = frame.counts[target]
        self.check_repeat(child, occurrences, number)
        counts = [0] * len(child.positions)
        counts[0] = 1
        self.stack.append(_Frame(child, 0, counts, occurrences))

    def repeat_loop(self, frame: _Frame, number: int) -> None:
        level = frame.level
        parent = self.stack[-2]
        parent.counts[parent.position] += 1
        frame.occurrences = parent.counts[parent.position]
        self.check_repeat(level, frame.occurrences, number)
        frame.position = 0
        frame.counts = [0] * len(level.positions)
        frame.counts[0] = 1

    def check_repeat(self, level: _Level, occurrences: int, number: int) -> None:
        if level.repeat is not None and occurrences > level.repeat:
            self.report(
                Problem.LOOP_OVER_MAXIMUM,
                f"loop {level.loop} occurs {occurrences} times, at most {level.repeat}",
                number,
                level.trigger or "",
                level.loop,
            )

    def unwind(self, depth: int, number: int) -> None:
        """Close the loops opened inside the one at ``depth``, innermost first."""
        while len(self.stack) > depth + 1:
            self.close(self.stack.pop(), number)

    def close(self, frame: _Frame, number: int) -> None:
        self.missing(frame, len(frame.level.positions), number)

    def missing(self, frame: _Frame, upto: int, number: int) -> None:
        """Report mandatory positions before ``upto`` that this occurrence never used."""
        for index in frame.level.required:
            if index >= upto:
                break
            if frame.counts[index] == 0:
                position = frame.level.positions[index]
                what = f"loop {position.loop}" if position.loop else "segment"
                self.report(
                    Problem.MANDATORY_SEGMENT_MISSING,
                    f"mandatory {what} {position.tag} is missing",
                    number if self.x12 else self.last,
                    position.tag,
                    position.loop or frame.level.loop,
                )
                frame.counts[index] = -1

    def unplaced(self, tag: str, number: int) -> None:
        loop = self.stack[-1].level.loop
        if not _TAG.fullmatch(tag):
            problem, detail = Problem.UNRECOGNIZED_SEGMENT, f"{tag!r} is not a segment tag"
        elif tag not in self.compiled.known:
            problem = Problem.SEGMENT_NOT_IN_SET
            detail = f"{tag} is not part of {self.spec.code}"
        elif any(tag in frame.level.index for frame in self.stack):
            problem = Problem.SEGMENT_OUT_OF_ORDER
            detail = f"{tag} comes after segments that must follow it"
        else:
            problem = Problem.UNEXPECTED_SEGMENT
            detail = f"{tag} belongs to another loop than this place allows"
        self.report(problem, detail, number, tag, loop)

    def elements(self, segment: Segment, rule: SegmentRule, number: int, loop: str | None) -> None:
        if rule.size is not None and len(segment.elements) > rule.size:
            self.report(
                Problem.TOO_MANY_ELEMENTS,
                f"{len(segment.elements)} elements, the segment has {rule.size}",
                number,
                segment.tag,
                loop,
                element=rule.size + 1,
            )
        for element in rule.elements:
            if element.components:
                self.composite(segment, element, number, loop)
                continue
            text = segment.value(element.position)
            self.value(text, element, segment.tag, number, loop, element.position, None)

    def composite(self, segment: Segment, rule: ElementRule, number: int, loop: str | None) -> None:
        parts = segment.components(rule.position) if segment.raw(rule.position) else []
        if not any(parts):
            if rule.required:
                self.report(
                    Problem.MANDATORY_ELEMENT_MISSING,
                    "mandatory composite is missing",
                    number,
                    segment.tag,
                    loop,
                    element=rule.position,
                )
            return
        for component in rule.components:
            index = component.position - 1
            text = parts[index] if index < len(parts) else ""
            self.value(
                text, component, segment.tag, number, loop, rule.position, component.position
            )

    def value(
        self,
        text: str,
        rule: ElementRule,
        tag: str,
        number: int,
        loop: str | None,
        element: int,
        component: int | None,
    ) -> None:
        def report(problem: Problem, detail: str) -> None:
            self.report(problem, detail, number, tag, loop, element, component, text or None)

        if not text:
            if rule.required:
                report(Problem.MANDATORY_ELEMENT_MISSING, "mandatory data element is missing")
            return
        kind = rule.type
        numeric = kind is not None and (kind == "R" or kind == "n" or kind[0] == "N")
        length = len(text.translate(_DIGITS)) if numeric else len(text)
        if rule.min_length is not None and length < rule.min_length:
            report(Problem.ELEMENT_TOO_SHORT, f"{text!r} is shorter than {rule.min_length}")
        if rule.max_length is not None and length > rule.max_length:
            report(Problem.ELEMENT_TOO_LONG, f"{text!r} is longer than {rule.max_length}")
        if kind is not None and not _well_typed(kind, text):
            if kind == "DT":
                report(Problem.INVALID_DATE, f"{text!r} is not a date")
            elif kind == "TM":
                report(Problem.INVALID_TIME, f"{text!r} is not a time")
            else:
                report(Problem.INVALID_CHARACTER, f"{text!r} is not of type {kind}")
        elif rule.codes is not None and text not in rule.codes:
            report(Problem.INVALID_CODE, f"{text!r} is not one of {', '.join(sorted(rule.codes))}")


def _well_typed(kind: str, text: str) -> bool:
    if kind == "R":
        return _X12_DECIMAL.fullmatch(text) is not None
    if kind[0] == "N":
        return _X12_INTEGER.fullmatch(text) is not None
    if kind == "DT":
        return _valid_date(text)
    if kind == "TM":
        return _TIME.fullmatch(text) is not None
    if kind == "n":
        return _EDIFACT_NUMBER.fullmatch(text) is not None
    if kind == "a":
        return not any(char.isdigit() for char in text)
    return True


def _valid_date(text: str) -> bool:
    if not text.isdigit() or len(text) not in (6, 8):
        return False
    try:
        datetime.datetime.strptime(text, "%Y%m%d" if len(text) == 8 else "%y%m%d")
    except ValueError:
        return False
    return True
