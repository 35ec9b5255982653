"""UN/EDIFACT as a mapping format: `outbound invoice to edifact INVOIC { envelope {...} ... }`.

The envelope entries become the writer's `EdifactEnvelope` at check time (a character set the
writer cannot encode is reported at its line). Data is escaped with the release character by the
writer, so nothing a FreshBooks field holds can split an element. Coming in, UNS ends a message's
detail: elements of the segments after it are the summary's.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import ClassVar

from connector.errors import ConfigurationError
from connector.formats import (
    ControlNumbers,
    EdiSegment,
    FormatOptionError,
    SegmentFormat,
    SegmentOptions,
    WrittenDocuments,
)
from connector.formats.edi import Interchange
from connector.formats.edifact import (
    EdifactEnvelope,
    OutgoingMessage,
    read_interchanges,
    write_interchange,
)
from connector.formats.envelope_entries import (
    Entries,
    ack_requested,
    check_words,
    is_test,
    one_value,
    party_values,
)

_MESSAGE_TYPE = re.compile(r"[A-Z]{6}")
_VERSION = re.compile(r"([DS])[:.]?(\d{2}[A-Z])")
ENVELOPE_WORDS = ("sender", "receiver", "version", "usage", "ack", "charset")


class EdifactFormat(SegmentFormat):
    name = "edifact"
    summary_tag = "UNS"
    envelope_sizes: ClassVar[dict[str, int]] = {"UNB": 11, "UNG": 8, "UNH": 7}
    envelope_tags = frozenset({"UNA", "UNT", "UNE", "UNZ"})

    def segment_options(self, arguments: Sequence[str], envelope: Entries) -> SegmentOptions:
        if len(arguments) != 1 or not _MESSAGE_TYPE.fullmatch(arguments[0]):
            raise FormatOptionError(
                "transaction",
                "name the EDIFACT message type after edifact, like `to edifact INVOIC`",
            )
        check_words(envelope, "EDIFACT", ENVELOPE_WORDS)
        if not envelope:
            return SegmentOptions(arguments[0])
        sender, sender_qualifier = _party(envelope, "sender")
        receiver, receiver_qualifier = _party(envelope, "receiver")
        written = one_value(envelope, "version", "D:96A", 'a directory such as "D:96A"')
        version = _VERSION.fullmatch(written)
        if version is None:
            raise FormatOptionError(
                "version", f'version {written!r} is not a directory: write "D:96A" or "D:01B"'
            )
        test, ack = is_test(envelope), ack_requested(envelope)
        charset = one_value(envelope, "charset", "UNOC", 'a character set such as "UNOC"')
        try:
            settled = EdifactEnvelope(
                sender_id=sender,
                receiver_id=receiver,
                sender_qualifier=sender_qualifier,
                receiver_qualifier=receiver_qualifier,
                syntax_identifier=charset,
                test=test,
                acknowledgment_requested=ack,
                message_version=version.group(1),
                message_release=version.group(2),
            )
        except ConfigurationError as error:
            raise FormatOptionError("charset", error.message, hint=error.hint) from error
        return SegmentOptions(arguments[0], settled)

    def spec_version(self, options: SegmentOptions) -> str:
        envelope: EdifactEnvelope | None = options.envelope
        if envelope is None:
            return "D96A"
        return f"{envelope.message_version}{envelope.message_release}"

    def write_documents(
        self,
        documents: Sequence[Sequence[EdiSegment]],
        options: SegmentOptions,
        controls: ControlNumbers,
        moment: dt.datetime,
    ) -> WrittenDocuments:
        written = write_interchange(
            options.envelope,
            [OutgoingMessage(options.transaction, segments) for segments in documents],
            interchange_control=controls.interchange,
            first_message_ref=controls.first_set,
            moment=moment,
        )
        return WrittenDocuments(written.data)

    def interchanges(self, data: bytes, file: str) -> list[Interchange]:
        return read_interchanges(data, file)


def _party(envelope: Entries, word: str) -> tuple[str, str]:
    """`sender 14 "5412345000013"` (a qualifier, then the id) or `sender "SELLERCO"`."""
    example = f'{word} 14 "5412345000013"'
    values = party_values(envelope, word, example)
    if len(values) not in (1, 2) or not 1 <= len(values[-1]) <= 35:
        raise FormatOptionError(
            word, f"{word} takes an id of 1 to 35 characters, after its qualifier: {example}"
        )
    return values[-1], values[0] if len(values) == 2 else ""
