import base64
import hashlib
import hmac
from urllib.parse import parse_qsl

import pytest

from connector.freshbooks.signature import AmbiguousFieldsError, signature, verify

# The worked example of freshbooks-api.md section 5.
BODY = (
    "name=invoice.update&object_id=3300105&account_id=xZNQ1X"
    "&business_id=7654321&identity_id=1122334&user_id=1"
)
VERIFIER = "Qm9ndXNWZXJpZmllcjEyMzQ1Ng"
HEADER = "U66/UUOD0gBxdZeu/ARVUj6fozS4JyQ0soTNdU/05ZU="
COMPACT_JSON_HEADER = "+Mxw5835vay2tGe4Bq/f+rax9r3U2R+jtD21VsMMZuY="
FIELDS = parse_qsl(BODY, keep_blank_values=True)


def test_the_worked_example_signs_to_the_documented_header():
    assert signature(FIELDS, VERIFIER) == HEADER
    assert verify(FIELDS, VERIFIER, HEADER)


def test_the_compact_json_signature_does_not_match():
    assert not verify(FIELDS, VERIFIER, COMPACT_JSON_HEADER)


def test_reordered_fields_do_not_match():
    assert not verify(list(reversed(FIELDS)), VERIFIER, HEADER)


def test_another_verifier_does_not_match():
    assert not verify(FIELDS, VERIFIER + "x", HEADER)


@pytest.mark.parametrize("header", [None, "", "not base64 at all", "é"])
def test_missing_or_garbled_headers_do_not_match(header):
    assert not verify(FIELDS, VERIFIER, header)


def test_non_ascii_is_escaped_and_slashes_are_not_as_python_json_does():
    signed = '{"name": "client.update", "note": "caf\\u00e9/\\u00fc"}'
    expected = base64.b64encode(hmac.new(b"v", signed.encode(), hashlib.sha256).digest()).decode()

    assert signature([("name", "client.update"), ("note", "café/ü")], "v") == expected


def test_repeated_fields_are_refused():
    with pytest.raises(AmbiguousFieldsError, match="repeats the field 'name'"):
        signature([("name", "a"), ("name", "b")], VERIFIER)
