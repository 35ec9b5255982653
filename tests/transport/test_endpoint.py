"""Endpoint settings: what a partner's form accepts, and that secrets never print."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from connector.transport import Endpoint


@pytest.mark.parametrize(
    ("url", "scheme", "host", "port", "path"),
    [
        (
            "sftp://sftp.acme.example:2222/exchange/acme",
            "sftp",
            "sftp.acme.example",
            2222,
            "/exchange/acme",
        ),
        ("sftp://sftp.acme.example/exchange", "sftp", "sftp.acme.example", 22, "/exchange"),
        ("sftp://sftp.acme.example", "sftp", "sftp.acme.example", 22, ""),
        ("file:///srv/partners/acme", "file", "", 22, "/srv/partners/acme"),
        ("memory://acme/trial", "memory", "acme", 22, "/acme/trial"),
        ("memory://acme", "memory", "acme", 22, "/acme"),
    ],
)
def test_url_parts(url: str, scheme: str, host: str, port: int, path: str) -> None:
    endpoint = Endpoint(url=url, username="acme")
    assert (endpoint.scheme, endpoint.host, endpoint.port, endpoint.path) == (
        scheme,
        host,
        port,
        path,
    )


@pytest.mark.parametrize(
    ("fields", "match"),
    [
        ({"url": "ftp://sftp.acme.example/x", "username": "acme"}, "scheme 'ftp'"),
        ({"url": "/srv/partners/acme"}, "scheme ''"),
        ({"url": "sftp:///exchange", "username": "acme"}, "names no host"),
        ({"url": "sftp://sftp.acme.example/x"}, "username is required"),
        ({"url": "sftp://sftp.acme.example:99999/x", "username": "acme"}, "port outside"),
        ({"url": "sftp://sftp.acme.example:0/x", "username": "acme"}, "port 0"),
        (
            {
                "url": "sftp://sftp.acme.example/x",
                "username": "acme",
                "private_key": "k",
                "private_key_path": "/k",
            },
            "not both",
        ),
        ({"url": "memory://x", "connect_timeout_seconds": 0}, "greater than 0"),
        ({"url": "memory://x", "colour": "blue"}, "Extra inputs"),
    ],
)
def test_inconsistent_settings_are_refused(fields: dict[str, object], match: str) -> None:
    with pytest.raises(ValidationError, match=match):
        Endpoint(**fields)


def test_a_password_in_the_url_is_refused_without_echoing_it() -> None:
    with pytest.raises(ValidationError) as caught:
        Endpoint(url="sftp://acme:hunter2@sftp.acme.example/x", username="acme")
    assert "password field" in str(caught.value)
    assert "hunter2" not in str(caught.value)


def test_validation_errors_do_not_echo_secrets() -> None:
    with pytest.raises(ValidationError) as caught:
        Endpoint(url="ftp://sftp.acme.example/x", username="acme", password="hunter2")
    assert "hunter2" not in str(caught.value)


def test_secrets_never_print() -> None:
    endpoint = Endpoint(
        url="sftp://sftp.acme.example/x",
        username="acme",
        password="hunter2",
        private_key="-----BEGIN OPENSSH PRIVATE KEY-----",
        private_key_passphrase="open sesame",
    )
    shown = repr(endpoint) + str(endpoint) + endpoint.model_dump_json()
    for secret in ("hunter2", "BEGIN OPENSSH", "open sesame"):
        assert secret not in shown
    assert endpoint.address == "sftp.acme.example:22"
