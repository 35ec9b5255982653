"""ANSI X12 as a mapping format: `outbound invoice to x12 810 { envelope {...} segment ... }`.

The plugin turns a section's envelope entries into the writer's `X12Envelope` once, at check
time, so that a wrong qualifier or version is reported at its line before any file moves; the
functional group id (GS01) follows from the transaction set, and the application ids (GS02/GS03)
are the interchange ids, which is what most partners' guides ask for.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import ClassVar

from connector.formats import (
    ControlNumbers,
    EdiSegment,
    FormatOptionError,
    SegmentFormat,
    SegmentOptions,
    WrittenDocuments,
)
from connector.formats.edi import Interchange
from connector.formats.envelope_entries import (
    Entries,
    ack_requested,
    check_words,
    is_test,
    one_value,
    party_values,
)
from connector.formats.x12 import X12Envelope, read_interchanges, write_interchange

# GS01 for the transaction sets a mapping may carry.
FUNCTIONAL_IDS = {"810": "IN", "850": "PO", "820": "RA", "997": "FA", "999": "FA", "856": "SH"}
_RELEASE = re.compile(r"00[2-9]\d{2}0[\w]*")
_IDS = re.compile(r"[^*~>^]{1,15}")
ENVELOPE_WORDS = ("sender", "receiver", "version", "usage", "ack")


class X12Format(SegmentFormat):
    name = "x12"
    envelope_sizes: ClassVar[dict[str, int]] = {"ISA": 16, "GS": 8, "ST": 3}
    envelope_tags = frozenset({"SE", "GE", "IEA"})

    def segment_options(self, arguments: Sequence[str], envelope: Entries) -> SegmentOptions:
        if len(arguments) != 1 or arguments[0] not in FUNCTIONAL_IDS:
            known = ", ".join(FUNCTIONAL_IDS)
            raise FormatOptionError(
                "transaction",
                f"name the X12 transaction set after x12, one of {known}: like `to x12 810`",
            )
        code = arguments[0]
        check_words(envelope, "X12", ENVELOPE_WORDS)
        if not envelope:
            return SegmentOptions(code)
        sender = _party(envelope, "sender")
        receiver = _party(envelope, "receiver")
        release = one_value(envelope, "version", "004010", "a version such as 004010 or 005010")
        if not _RELEASE.fullmatch(release):
            raise FormatOptionError(
                "version", f'version {release!r} is not an X12 release: write "004010" or "005010"'
            )
        return SegmentOptions(
            code,
            X12Envelope(
                sender_qualifier=sender[0],
                sender_id=sender[1],
                receiver_qualifier=receiver[0],
                receiver_id=receiver[1],
                functional_id=FUNCTIONAL_IDS[code],
                application_sender=sender[1].strip().ljust(2),
                application_receiver=receiver[1].strip().ljust(2),
                version=release[:5],
                release=release,
                usage="T" if is_test(envelope) else "P",
                ack_requested=ack_requested(envelope),
            ),
        )

    def spec_version(self, options: SegmentOptions) -> str:
        envelope: X12Envelope | None = options.envelope
        return envelope.release[:6] if envelope is not None else "004010"

    def write_documents(
        self,
        documents: Sequence[Sequence[EdiSegment]],
        options: SegmentOptions,
        controls: ControlNumbers,
        moment: dt.datetime,
    ) -> WrittenDocuments:
        written = write_interchange(
            options.envelope,
            [(options.transaction, segments) for segments in documents],
            interchange_control=controls.interchange,
            group_control=controls.group,
            first_set_control=controls.first_set,
            moment=moment,
        )
        return WrittenDocuments(written.data, [str(warning) for warning in written.warnings])

    def interchanges(self, data: bytes, file: str) -> list[Interchange]:
        return read_interchanges(data, file)


def _party(envelope: Entries, word: str) -> tuple[str, str]:
    """`sender ZZ "SELLERCO"`: the id qualifier (ISA05/07) and the id (ISA06/08)."""
    example = f'{word} ZZ "{"SELLERCO" if word == "sender" else "ACMEDIST"}"'
    values = party_values(envelope, word, example)
    if len(values) != 2 or len(values[0]) != 2 or not _IDS.fullmatch(values[1]):
        raise FormatOptionError(
            word,
            f"{word} takes an id qualifier of 2 characters and an id of 1 to 15, like {example}",
        )
    return values[0], values[1]
