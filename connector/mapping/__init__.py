"""The mapping language: parse, check and compile partner mappings to polars expressions."""

from connector.mapping.inbound import InboundBatch, InboundRecord, InboundSection
from connector.mapping.loader import Mapping, check_mapping, load_mapping
from connector.mapping.outbound import OutboundFile, OutboundSection, SourceRow
from connector.mapping.problems import MappingError, Problem, RowProblem, SectionNotFoundError
from connector.mapping.templates import RunContext

__all__ = [
    "InboundBatch",
    "InboundRecord",
    "InboundSection",
    "Mapping",
    "MappingError",
    "OutboundFile",
    "OutboundSection",
    "Problem",
    "RowProblem",
    "RunContext",
    "SectionNotFoundError",
    "SourceRow",
    "check_mapping",
    "load_mapping",
]
