"""Credentials encrypted at rest in small JSON files under the local state folder.

Refresh tokens and client secrets must survive restarts on machines without a Prefect
server, yet a copy of the state folder alone must not reveal them. The Fernet key comes
from ``ML_CONNECTOR_SECRET_KEY`` (production: supplied by the operator, kept apart from
the data) or is generated once into ``secret.key`` beside the data (demo, one machine).
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken

from connector import settings
from connector.errors import ConfigurationError

SECRET_KEY_ENV = "ML_CONNECTOR_SECRET_KEY"
SECRET_KEY_FILE = "secret.key"
PRIVATE_MODE = 0o600


class SecretStoreError(ConfigurationError):
    """The encryption key or an encrypted file cannot be used."""


class InvalidSecretKey(SecretStoreError):
    """The configured key is not a Fernet key at all."""


class WrongSecretKey(SecretStoreError):
    """An encrypted file was written with a different key than the one in use."""


def key_source() -> str:
    """Where the key in use comes from, named so an operator knows what to check."""
    if os.environ.get(SECRET_KEY_ENV):
        return f"environment variable {SECRET_KEY_ENV}"
    return f"key file {settings.home() / SECRET_KEY_FILE}"


def secret_key() -> bytes:
    """The Fernet key: from the environment if set, else from (or first created in) home()."""
    configured = os.environ.get(SECRET_KEY_ENV)
    if configured:
        return _checked_key(configured.strip().encode(), key_source())
    path = settings.home() / SECRET_KEY_FILE
    if not path.exists():
        _create_key_file(path)
    return _checked_key(path.read_bytes().strip(), key_source())


def _checked_key(key: bytes, source: str) -> bytes:
    try:
        Fernet(key)
    except ValueError as exc:
        raise InvalidSecretKey(
            f"the secret key from {source} is not a valid Fernet key",
            hint="it must be 32 url-safe base64-encoded bytes, as printed by `python -c "
            "'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'`",
        ) from exc
    return key


def _create_key_file(path: Path) -> None:
    """Create the key file so that concurrent first runs all end up with the same key.

    The key is written to a private temporary file and hard-linked into place: the link
    either appears complete or fails because another process won, never half-written.
    """
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".secret-key-")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(Fernet.generate_key())
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)  # fails only when another process created the key first
    finally:
        os.unlink(temporary)


class EncryptedJsonFile:
    """A JSON object stored Fernet-encrypted, readable only by its owner, replaced atomically."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)

    def read(self) -> dict[str, Any] | None:
        """The stored object, or None when nothing was written yet."""
        try:
            ciphertext = self.path.read_bytes()
        except FileNotFoundError:
            return None
        try:
            plaintext = Fernet(secret_key()).decrypt(ciphertext)
        except InvalidToken as exc:
            raise WrongSecretKey(
                f"{self.path} cannot be decrypted with the secret key from {key_source()}",
                hint=f"set {SECRET_KEY_ENV} (or restore {SECRET_KEY_FILE} in the state folder) to "
                "the key this file was written with, or delete the file and authorise again",
            ) from exc
        value = json.loads(plaintext)
        if not isinstance(value, dict):
            raise SecretStoreError(
                f"{self.path} decrypts to a JSON {type(value).__name__}, not an object",
                hint="delete the file and store the credentials again",
            )
        return value

    def write(self, value: dict[str, Any]) -> None:
        """Encrypt and replace the file so a reader sees the old or the new object, never half."""
        ciphertext = Fernet(secret_key()).encrypt(json.dumps(value).encode())
        self.path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}-")
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(ciphertext)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(temporary, PRIVATE_MODE)
            os.replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
