import pytest
from pydantic import ValidationError

from connector.errors import ConfigurationError
from connector.partners import MAPPINGS_DIR, PartnerSettings


def _partner(**fields) -> PartnerSettings:
    return PartnerSettings(
        **{"name": "acme", "mapping": "acme_distribution.map", "remote_url": "memory://x", **fields}
    )


def test_mapping_is_found_in_the_mappings_folder():
    assert _partner().mapping_path() == MAPPINGS_DIR / "acme_distribution.map"


def test_missing_mapping_names_where_it_looked(tmp_path):
    with pytest.raises(ConfigurationError, match="not found") as caught:
        _partner(mapping=str(tmp_path / "nope.map")).mapping_path()
    assert "nope.map" in str(caught.value)


def test_partner_name_must_be_a_slug():
    with pytest.raises(ValidationError):
        _partner(name="Acme Distribution")


def test_settings_hold_no_secret_fields():
    """Credentials are named by block; nothing in the form can hold a password."""
    fields = set(PartnerSettings.model_json_schema()["properties"])
    assert not {f for f in fields if "password" in f or "secret" in f or "private" in f}
