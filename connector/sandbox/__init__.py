"""A local FreshBooks-compatible API and SFTP server: for the demo, mappings and tests."""

from connector.sandbox.behaviour import Behaviour
from connector.sandbox.info import SandboxInfo
from connector.sandbox.runner import Sandbox
from connector.sandbox.seed import SeedPlan, seed
from connector.sandbox.state import NewLine, SandboxState

__all__ = ["Behaviour", "NewLine", "Sandbox", "SandboxInfo", "SandboxState", "SeedPlan", "seed"]
