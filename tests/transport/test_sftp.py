"""Logging in to a real OpenSSH server: credentials, host keys, and what each failure says."""

from __future__ import annotations

import logging
import os
import posixpath
import socket
import threading

import asyncssh
import pytest

from connector.transport import (
    HostKeyError,
    InvalidEndpoint,
    PartnerFolders,
    RemotePermissionDenied,
    TransportAuthError,
    TransportUnavailable,
    close_filesystem,
    open_filesystem,
)
from tests.fixtures.sshd import SshdServer
from tests.transport.conftest import sftp_endpoint


def server_key(server: SshdServer) -> asyncssh.SSHKey:
    return asyncssh.import_public_key(server.known_hosts_line.split(" ", 1)[1])


def other_key_line(server: SshdServer, algorithm: str = "ssh-ed25519") -> str:
    key = asyncssh.generate_private_key(algorithm).export_public_key().decode().strip()
    return f"[{server.host}]:{server.port} {key}"


def lists_root(server: SshdServer, **overrides: object) -> None:
    fs = open_filesystem(sftp_endpoint(server, **overrides))
    try:
        assert fs.isdir(server.remote(server.root))
    finally:
        close_filesystem(fs)


# Logging in


def test_key_login_from_a_file(sshd: SshdServer) -> None:
    lists_root(sshd)


def test_key_login_from_pasted_key_text(sshd: SshdServer) -> None:
    lists_root(sshd, private_key_path=None, private_key=sshd.private_key_path.read_text())


def test_password_login(sshd: SshdServer) -> None:
    lists_root(sshd, private_key_path=None, password=sshd.password)


def test_wrong_password_is_an_auth_error_that_hides_the_password(sshd: SshdServer) -> None:
    with pytest.raises(TransportAuthError) as caught:
        lists_root(sshd, private_key_path=None, password="not-the-password-42")
    assert f"{sshd.host}:{sshd.port}" in str(caught.value)
    assert "not-the-password-42" not in str(caught.value)


def test_a_key_the_server_does_not_know_is_an_auth_error(sshd: SshdServer) -> None:
    stranger = asyncssh.generate_private_key("ssh-ed25519").export_private_key().decode()
    with pytest.raises(TransportAuthError, match="refused the login"):
        lists_root(sshd, private_key_path=None, private_key=stranger)


@pytest.mark.parametrize(
    ("fields", "match"),
    [
        ({"private_key_path": None, "private_key": "not a key"}, "private key"),
        ({"private_key_path": "/nonexistent/id_ed25519"}, "cannot be read"),
        ({"known_hosts": "[127.0.0.1]:22 ssh-ed25519 !!!notbase64"}, "line 1 of the known_hosts"),
        ({"known_hosts": "# ok\n\nhost ssh-ed25519"}, "line 3 of the known_hosts"),
        ({"known_hosts": "@bogus {line}"}, "marker"),
    ],
)
def test_unusable_endpoint_settings_are_named(
    sshd: SshdServer, fields: dict[str, str | None], match: str
) -> None:
    fields = {
        name: value.format(line=sshd.known_hosts_line) if value else value
        for name, value in fields.items()
    }
    with pytest.raises(InvalidEndpoint, match=match):
        lists_root(sshd, **fields)


def test_an_encrypted_key_needs_its_passphrase(sshd: SshdServer) -> None:
    key = asyncssh.read_private_key(sshd.private_key_path)
    encrypted = key.export_private_key("pkcs8-pem", passphrase="open sesame").decode()
    lists_root(
        sshd,
        private_key_path=None,
        private_key=encrypted,
        private_key_passphrase="open sesame",
    )
    with pytest.raises(InvalidEndpoint, match="passphrase"):
        lists_root(sshd, private_key_path=None, private_key=encrypted)


# Host keys


def test_an_unknown_host_is_refused_with_the_line_to_add(sshd: SshdServer) -> None:
    with pytest.raises(HostKeyError) as caught:
        lists_root(sshd, known_hosts=None)
    message = str(caught.value)
    key = server_key(sshd)
    assert f"{sshd.host}:{sshd.port}" in message
    assert f"ssh-ed25519 key {key.get_fingerprint('sha256')}" in message
    assert sshd.known_hosts_line in message
    assert "development" in message


def test_a_changed_host_key_is_refused_as_a_possible_interception(sshd: SshdServer) -> None:
    with pytest.raises(HostKeyError) as caught:
        lists_root(sshd, known_hosts=other_key_line(sshd))
    message = str(caught.value)
    assert server_key(sshd).get_fingerprint("sha256") in message
    assert "re-keyed or someone is intercepting" in message
    assert sshd.known_hosts_line in message


def test_a_host_key_of_another_type_is_refused_too(sshd: SshdServer) -> None:
    with pytest.raises(HostKeyError, match="known_hosts expects ssh-rsa key"):
        lists_root(sshd, known_hosts=other_key_line(sshd, "ssh-rsa"))


def test_a_development_partner_connects_without_known_hosts(
    sshd: SshdServer, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="connector.transport"):
        lists_root(sshd, known_hosts=None, development=True)
    assert f"not checking the host key of {sshd.host}:{sshd.port}" in caplog.text


# Reachability and closing


def test_a_closed_port_is_unavailable(sshd: SshdServer) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound, never listening: connections are refused
        with pytest.raises(TransportUnavailable, match=f"127.0.0.1:{port}"):
            lists_root(sshd, url=f"sftp://127.0.0.1:{port}/x")


def test_a_server_that_is_not_ssh_is_unavailable(sshd: SshdServer) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]

        def answer_like_a_web_server() -> None:
            connection, _ = listener.accept()
            with connection:
                connection.sendall(b"HTTP/1.1 400 Bad Request\r\n\r\n")

        thread = threading.Thread(target=answer_like_a_web_server)
        thread.start()
        try:
            with pytest.raises(TransportUnavailable):
                lists_root(sshd, url=f"sftp://127.0.0.1:{port}/x", connect_timeout_seconds=5)
        finally:
            thread.join()


def test_a_server_that_never_answers_times_out(sshd: SshdServer) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()  # the kernel accepts the connection; nobody ever speaks
        port = listener.getsockname()[1]
        with pytest.raises(TransportUnavailable, match="timed out"):
            lists_root(sshd, url=f"sftp://127.0.0.1:{port}/x", connect_timeout_seconds=0.3)


def test_closing_ends_the_connection(sshd: SshdServer) -> None:
    fs = open_filesystem(sftp_endpoint(sshd))
    connection = fs.client
    close_filesystem(fs)
    assert connection.is_closed()


def test_folders_opened_from_an_endpoint_close_their_connection(sshd: SshdServer) -> None:
    with PartnerFolders.open(sftp_endpoint(sshd)) as folders:
        connection = folders.fs.client
        assert folders.where == f"{sshd.host}:{sshd.port}"
    assert connection.is_closed()


# Server-side refusals


def test_a_folder_the_account_may_not_write_is_named(sshd: SshdServer) -> None:
    if not sshd.is_openssh:
        pytest.skip("the sandbox's SFTP server runs as root, so no folder is closed to it")
    locked = sshd.root / "locked-inbound"
    locked.mkdir(mode=0o755, exist_ok=True)  # owned by root, so the SFTP account cannot write
    os.chown(locked, 0, 0)
    with PartnerFolders.open(sftp_endpoint(sshd, "/locked-inbound")) as folders:
        folders.outgoing = posixpath.dirname(folders.outgoing)
        with pytest.raises(RemotePermissionDenied, match=r"uploading invoices\.csv"):
            folders.upload("invoices.csv", b"x")


def test_upload_is_never_visible_half_written(sshd: SshdServer) -> None:
    """Watch the partner's folder while a large upload runs: NAME only ever appears complete."""
    data = os.urandom(8 * 2**20)
    with PartnerFolders.open(sftp_endpoint(sshd)) as folders:
        folders.outgoing = sshd.remote(sshd.root / "watched-inbound")
        folders.fs.makedirs(folders.outgoing, exist_ok=True)
        target = posixpath.join(folders.outgoing, "big.csv")
        seen_sizes: list[int] = []
        done = threading.Event()

        def watch() -> None:
            while not done.is_set():
                if (sshd.root / "watched-inbound" / "big.csv").exists():
                    seen_sizes.append((sshd.root / "watched-inbound" / "big.csv").stat().st_size)

        watcher = threading.Thread(target=watch)
        watcher.start()
        try:
            folders.upload("big.csv", data)
        finally:
            done.set()
            watcher.join()
        assert folders.fs.cat_file(target) == data
        assert set(seen_sizes) <= {len(data)}
        assert sorted(os.listdir(sshd.root / "watched-inbound")) == ["big.csv"]
