"""The code lists acknowledgments use, so a rejection reaches people in words, not numbers.

X12: segment syntax errors (element 720, AK304/IK304), data element syntax errors (723,
AK403/IK403), transaction set syntax errors (718, AK502/IK502), functional group syntax errors
(716, AK905) and interchange note codes (I18, TA105); the I-codes are the 999's additions.
EDIFACT: syntax error codes (0085, ISO 9735-4) that CONTRL's UCI/UCF/UCM/UCS/UCD carry.
"""

from __future__ import annotations

from collections.abc import Mapping

SEGMENT_ERRORS = {
    "1": "unrecognized segment ID",
    "2": "unexpected segment",
    "3": "required segment missing",
    "4": "loop occurs over maximum times",
    "5": "segment exceeds maximum use",
    "6": "segment not in defined transaction set",
    "7": "segment not in proper sequence",
    "8": "segment has data element errors",
    "I4": "implementation 'not used' segment present",
    "I6": "implementation dependent segment missing",
    "I7": "implementation loop occurs under minimum times",
    "I8": "implementation segment below minimum use",
    "I9": "implementation dependent 'not used' segment present",
}
ELEMENT_ERRORS = {
    "1": "required data element missing",
    "2": "conditional required data element missing",
    "3": "too many data elements",
    "4": "data element too short",
    "5": "data element too long",
    "6": "invalid character in data element",
    "7": "invalid code value",
    "8": "invalid date",
    "9": "invalid time",
    "10": "exclusion condition violated",
    "12": "too many repetitions",
    "13": "too many components",
    "I6": "code value not used in implementation",
    "I9": "implementation dependent data element missing",
    "I10": "implementation 'not used' data element present",
    "I11": "implementation too few repetitions",
    "I12": "implementation pattern match failure",
    "I13": "implementation dependent 'not used' data element present",
}
SET_ERRORS = {
    "1": "transaction set not supported",
    "2": "transaction set trailer missing",
    "3": "transaction set control number in header and trailer do not match",
    "4": "number of included segments does not match actual count",
    "5": "one or more segments in error",
    "6": "missing or invalid transaction set identifier",
    "7": "missing or invalid transaction set control number",
    "18": "transaction set not in functional group",
    "19": "invalid transaction set implementation convention reference",
    "23": "transaction set control number not unique within the functional group",
    "I5": "implementation one or more segments in error",
    "I6": "implementation convention not supported",
}
GROUP_ERRORS = {
    "1": "functional group not supported",
    "2": "functional group version not supported",
    "3": "functional group trailer missing",
    "4": "group control number in the functional group header and trailer do not agree",
    "5": "number of included transaction sets does not match actual count",
    "6": "group control number violates syntax",
    "19": "functional group control number not unique within interchange",
}
INTERCHANGE_NOTES = {
    "000": "no error",
    "001": "interchange control number in header and trailer do not match",
    "002": "this standard as noted in the control standards identifier is not supported",
    "003": "this version of the controls is not supported",
    "004": "the segment terminator is invalid",
    "005": "invalid interchange ID qualifier for sender",
    "006": "invalid interchange sender ID",
    "007": "invalid interchange ID qualifier for receiver",
    "008": "invalid interchange receiver ID",
    "009": "unknown interchange receiver ID",
    "010": "invalid authorization information qualifier value",
    "011": "invalid authorization information value",
    "012": "invalid security information qualifier value",
    "013": "invalid security information value",
    "014": "invalid interchange date value",
    "015": "invalid interchange time value",
    "016": "invalid interchange standards identifier value",
    "017": "invalid interchange version ID value",
    "018": "invalid interchange control number value",
    "019": "invalid acknowledgment requested value",
    "020": "invalid test indicator value",
    "021": "invalid number of included groups value",
    "022": "invalid control structure",
    "023": "improper (premature) end-of-file (transmission)",
    "024": "invalid interchange content (e.g. invalid GS segment)",
    "025": "duplicate interchange control number",
    "026": "invalid data element separator",
    "027": "invalid component element separator",
}
EDIFACT_ERRORS = {
    "2": "syntax version or level not supported",
    "7": "interchange recipient not actual recipient",
    "12": "invalid value",
    "13": "missing",
    "14": "value not supported in this position",
    "15": "not supported in this position",
    "16": "too many constituents",
    "17": "no agreement",
    "18": "unspecified error",
    "19": "invalid decimal notation",
    "20": "character invalid as service character",
    "21": "invalid character(s)",
    "22": "invalid service character(s)",
    "23": "unknown interchange sender",
    "24": "too old",
    "25": "test indicator not supported",
    "26": "duplicate detected",
    "28": "references do not match",
    "29": "control count does not match number of instances received",
    "30": "functional groups and messages mixed",
    "31": "more than one message type in group",
    "32": "lower level empty",
    "33": "invalid occurrence outside message, functional group and interchange",
    "35": "too many repetitions",
    "36": "too many segment groups",
    "37": "invalid type of character(s)",
    "38": "missing digit in front of decimal sign",
    "39": "data element too long",
    "40": "data element too short",
    "45": "trailing separator",
    "46": "character set not supported",
    "47": "envelope functionality not supported",
}


def words(table: Mapping[str, str], code: str) -> str:
    """``code`` with its meaning; a code outside the list is named as such, not dropped."""
    meaning = table.get(code.strip())
    return f"{code} ({meaning})" if meaning else f"{code} (a code the standard does not list)"
