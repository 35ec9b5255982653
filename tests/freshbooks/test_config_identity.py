import pydantic
import pytest

from connector.errors import ConfigurationError
from connector.freshbooks import AccountNotFound, FreshBooksConfig, choose_business


def make_config(**overrides):
    values = {
        "client_id": "id",
        "client_secret": "s3cret-value",
        "redirect_uri": "https://example.test/callback",
    }
    return FreshBooksConfig(**{**values, **overrides})


def test_defaults_point_at_the_real_api():
    config = make_config()
    assert config.api_url == "https://api.freshbooks.com"
    assert config.auth_url == "https://auth.freshbooks.com/oauth/authorize"
    assert config.token_url == "https://api.freshbooks.com/auth/oauth/token"


def test_base_url_may_end_with_a_slash():
    assert make_config(api_url="http://127.0.0.1:8080/").token_url == (
        "http://127.0.0.1:8080/auth/oauth/token"
    )


@pytest.mark.parametrize("field", ["api_url", "auth_url", "redirect_uri"])
def test_urls_must_be_http(field):
    with pytest.raises(pydantic.ValidationError, match="not an http"):
        make_config(**{field: "ftp://example.test"})


def test_client_secret_stays_out_of_repr():
    assert "s3cret-value" not in repr(make_config())
    assert "s3cret-value" not in str(make_config().model_dump())


def membership(account_id, business_id):
    return {
        "id": business_id + 1,
        "role": "owner",
        "business": {"id": business_id, "account_id": account_id},
    }


IDENTITY = {
    "business_memberships": [
        {"id": 1, "role": "business_employee", "business": {"id": 10, "account_id": None}},
        membership("AAA111", 20),
        membership("BBB222", 30),
    ]
}


def test_first_business_with_an_accounting_account_is_chosen():
    assert choose_business(IDENTITY, None)["id"] == 20


def test_business_matching_the_configured_account_is_chosen():
    assert choose_business(IDENTITY, "BBB222")["id"] == 30


@pytest.mark.parametrize(
    ("identity", "account_id"),
    [(IDENTITY, "CCC333"), ({"business_memberships": []}, None), ({}, None)],
)
def test_no_matching_business_is_a_configuration_error(identity, account_id):
    with pytest.raises(AccountNotFound) as caught:
        choose_business(identity, account_id)
    assert isinstance(caught.value, ConfigurationError)
    assert "available" in str(caught.value)
