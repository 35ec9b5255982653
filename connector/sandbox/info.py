"""What a started sandbox tells its users: where to connect and with which credentials."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class SandboxInfo:
    api_url: str
    auth_url: str
    client_id: str
    client_secret: str
    redirect_uri: str
    access_token: str
    refresh_token: str
    account_id: str
    business_id: int
    sftp_host: str
    sftp_port: int
    sftp_user: str
    sftp_password: str
    sftp_host_key: str
    """A known_hosts line: ``[127.0.0.1]:PORT ssh-ed25519 AAAA...``."""
    sftp_root: str

    def as_json(self) -> str:
        """One line, so a parent process can read it as the first line of output."""
        return json.dumps(asdict(self), separators=(",", ":"))
