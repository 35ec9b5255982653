"""The FreshBooks webhook receiver: verified deliveries, committed to the store before the 200."""

from connector.webhooks.app import MAX_BODY_BYTES, VerifierHandler, create_app

__all__ = ["MAX_BODY_BYTES", "VerifierHandler", "create_app"]
