"""The entries of an outbound EDI section's `envelope { ... }`, read alike for every standard.

Each standard's plugin decides what its parties and versions look like; the words both share
(`usage production|test`, `ack requested|none`) and the rules every entry follows (a known word,
one value unless it names a party) live here, so X12 and EDIFACT report them in the same words.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from connector.formats import FormatOptionError

Entries = Mapping[str, Sequence[str]]

_TEST_INDICATOR = {"production": False, "test": True}
_ACK_REQUEST = {"requested": True, "none": False}


def check_words(entries: Entries, standard: str, words: Sequence[str]) -> None:
    """Refuse the first entry (alphabetically, so the report is stable) the standard lacks."""
    unknown = sorted(set(entries) - set(words))
    if unknown:
        raise FormatOptionError(
            unknown[0],
            f"{unknown[0]} is not an {standard} envelope setting (they are {', '.join(words)})",
        )


def one_value(entries: Entries, word: str, default: str, what: str) -> str:
    """The single value of `word`, `default` when the envelope leaves it out; `what` describes
    the values it takes, for the message when it has several."""
    values = entries.get(word, (default,))
    if len(values) != 1:
        raise FormatOptionError(word, f"{word} takes one value: {what}")
    return values[0]


def party_values(entries: Entries, word: str, example: str) -> Sequence[str]:
    """The values of `sender` or `receiver`, which every envelope needs; the plugin checks
    their form, `example` shows the analyst one."""
    values = entries.get(word)
    if values is None:
        raise FormatOptionError(word, f"the envelope needs the {word}: {example}")
    return values


def is_test(entries: Entries) -> bool:
    """`usage test` marks the interchange as test data (ISA15 T, UNB 0035 1)."""
    usage = one_value(entries, "usage", "production", "production or test")
    if usage not in _TEST_INDICATOR:
        raise FormatOptionError("usage", f"usage is production or test, got {usage!r}")
    return _TEST_INDICATOR[usage]


def ack_requested(entries: Entries) -> bool:
    """`ack requested` asks the partner for an acknowledgment (ISA14 1, UNB 0031 1)."""
    ack = one_value(entries, "ack", "none", "requested or none")
    if ack not in _ACK_REQUEST:
        raise FormatOptionError("ack", f"ack is requested or none, got {ack!r}")
    return _ACK_REQUEST[ack]
