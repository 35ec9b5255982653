"""Where a partner's files live and how to log in there.

The model is shown as a form in the Prefect UI (inside the SFTP credentials block), so every field
is a plain type with a description; secrets are ``SecretStr`` so they never print.
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator

SCHEMES = ("sftp", "file", "memory")
DEFAULT_SFTP_PORT = 22


class Endpoint(BaseModel):
    """One partner's server (or a local or in-memory folder for trials and tests)."""

    # hide_input_in_errors: a validation error must not echo the password it was given.
    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    url: str = Field(
        description=(
            "Where the partner's folders live: sftp://host:port/base/path, file:///path "
            "or memory://path."
        ),
    )
    username: str | None = Field(default=None, description="SFTP login name.")
    password: SecretStr | None = Field(default=None, description="SFTP password, if used.")
    private_key: SecretStr | None = Field(
        default=None, description="Private key text (OpenSSH or PEM), if key login is used."
    )
    private_key_path: str | None = Field(
        default=None, description="Path to a private key file, instead of pasting the key."
    )
    private_key_passphrase: SecretStr | None = Field(
        default=None, description="Passphrase of the private key, if it is encrypted."
    )
    known_hosts: str | None = Field(
        default=None,
        description=(
            "The server's known_hosts line(s), as ssh-keyscan prints them. Check the "
            "fingerprint with the partner before pasting."
        ),
    )
    development: bool = Field(
        default=False,
        description=(
            "Development partner: connect without checking the host key (never in production)."
        ),
    )
    connect_timeout_seconds: float = Field(
        default=30.0, gt=0, description="Give up connecting and logging in after this long."
    )
    keepalive_seconds: float = Field(
        default=30.0,
        ge=0,
        description="Probe an idle connection this often to notice a dead server (0: never).",
    )

    @model_validator(mode="after")
    def _check_consistency(self) -> Endpoint:
        parts = urlsplit(self.url)
        if parts.password is not None:
            raise ValueError(
                "the url carries a password; remove it and use the password field, "
                "which is stored encrypted"
            )
        if parts.scheme not in SCHEMES:
            raise ValueError(
                f"url {self.url!r} has scheme {parts.scheme!r}; use one of "
                + ", ".join(f"{scheme}://" for scheme in SCHEMES)
            )
        if parts.scheme == "sftp":
            if not parts.hostname:
                raise ValueError(f"url {self.url!r} names no host; write sftp://host:port/path")
            if not self.username:
                raise ValueError(f"username is required for {self.url!r}")
            try:
                port = parts.port
            except ValueError:
                raise ValueError(f"url {self.url!r} has a port outside 1-65535") from None
            if port == 0:
                raise ValueError(f"url {self.url!r} has port 0; give the server's real port")
        if self.private_key is not None and self.private_key_path:
            raise ValueError("give either private_key or private_key_path, not both")
        return self

    @property
    def scheme(self) -> str:
        return urlsplit(self.url).scheme

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or ""

    @property
    def port(self) -> int:
        return urlsplit(self.url).port or DEFAULT_SFTP_PORT

    @property
    def path(self) -> str:
        """The folder the URL points at; for memory:// the host part is the first path segment."""
        parts = urlsplit(self.url)
        path = unquote(parts.path)
        if parts.scheme == "memory":
            return "/" + "/".join(p for p in (parts.netloc, path.strip("/")) if p)
        return path

    @property
    def address(self) -> str:
        """host:port for messages; never the credentials."""
        return f"{self.host}:{self.port}"
