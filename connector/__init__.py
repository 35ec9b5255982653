"""ml-connector: FreshBooks to SFTP trading partners, mapped by a small language."""

__version__ = "0.1.0"
