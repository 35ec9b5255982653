"""Everything one partner's run needs, resolved once by the caller."""

from __future__ import annotations

from dataclasses import dataclass

from connector.freshbooks import FreshBooksClient
from connector.mapping import Mapping
from connector.partners import PartnerSettings
from connector.store import Store
from connector.transport import PartnerFolders


@dataclass(frozen=True)
class PartnerRun:
    """A partner's settings with the live objects they resolve to.

    The flows build it from blocks, tests and the demo build it directly, so the jobs never care
    where the credentials came from; the caller owns and closes the client, folders and store.
    """

    partner: PartnerSettings
    mapping: Mapping
    freshbooks: FreshBooksClient
    folders: PartnerFolders
    store: Store
