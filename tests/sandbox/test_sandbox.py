"""The Sandbox object: info, lifecycle, seed data, programmatic records and their errors."""

from __future__ import annotations

import dataclasses
import json
import socket
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from connector.sandbox import NewLine, Sandbox, SandboxInfo, SandboxState, seed
from connector.sandbox.clock import parse_bound
from connector.sandbox.errors import SandboxDataError, SandboxStartError
from connector.sandbox.money import parse_decimal, parse_money

INFO_FIELDS = [
    "api_url",
    "auth_url",
    "client_id",
    "client_secret",
    "redirect_uri",
    "access_token",
    "refresh_token",
    "account_id",
    "business_id",
    "sftp_host",
    "sftp_port",
    "sftp_user",
    "sftp_password",
    "sftp_host_key",
    "sftp_root",
]


def test_info_has_exactly_the_agreed_fields(sandbox: Sandbox) -> None:
    info = sandbox.info
    assert [f.name for f in dataclasses.fields(SandboxInfo)] == INFO_FIELDS
    with pytest.raises(dataclasses.FrozenInstanceError):
        info.api_url = "x"  # type: ignore[misc]
    as_json = info.as_json()
    assert "\n" not in as_json
    assert json.loads(as_json) == dataclasses.asdict(info)
    assert info.api_url.startswith("http://127.0.0.1:")
    assert info.auth_url == f"{info.api_url}/oauth/authorize"
    assert info.sftp_root == str(Path(info.sftp_root).resolve())


def test_startup_tokens_work_at_once(sandbox: Sandbox) -> None:
    response = httpx.get(
        f"{sandbox.info.api_url}/auth/api/v1/users/me",
        headers={"Authorization": f"Bearer {sandbox.info.access_token}"},
    )
    assert response.status_code == 200


def test_stop_frees_the_port_and_info(tmp_path: Path) -> None:
    sb = Sandbox(root=tmp_path / "sftp", state_dir=tmp_path / "state", seed_plan=None)
    with pytest.raises(SandboxStartError, match="not running"):
        _ = sb.info
    with sb:
        url = sb.info.api_url
        with pytest.raises(SandboxStartError, match="already started"):
            sb.start()
    with pytest.raises(httpx.ConnectError):
        httpx.get(url)
    with pytest.raises(SandboxStartError):
        _ = sb.info
    sb.stop()


def test_busy_port_is_a_start_error(tmp_path: Path) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        for ports in ({"api_port": port}, {"sftp_port": port}):
            sb = Sandbox(root=tmp_path / "sftp", state_dir=tmp_path / "state", **ports)
            with pytest.raises(SandboxStartError, match=str(port)):
                sb.start()


def test_root_that_is_a_file_is_a_start_error(tmp_path: Path) -> None:
    root = tmp_path / "file"
    root.write_text("")
    with pytest.raises(SandboxStartError, match="SFTP root"):
        Sandbox(root=root, state_dir=tmp_path / "state").start()


def test_no_seed_means_no_records(tmp_path: Path) -> None:
    with Sandbox(root=tmp_path / "sftp", state_dir=tmp_path / "state", seed_plan=None) as sb:
        assert sb.state.invoices == []
        assert sb.state.clients == []


def test_default_seed_is_realistic(sandbox: Sandbox) -> None:
    invoices = sandbox.state.invoices
    assert len(sandbox.state.clients) == 12
    assert len(invoices) == 40
    assert {i.statuses()["v3_status"] for i in invoices} == {"draft", "sent", "partial", "paid"}
    assert all(1 <= len(i.lines) <= 6 for i in invoices)
    currencies = [c.currency_code for c in sandbox.state.clients]
    assert currencies.count("CAD") == 1
    assert currencies.count("USD") == 11
    assert all(c.organization and c.email and c.p_city for c in sandbox.state.clients)
    paid_or_partial = [i for i in invoices if i.paid > 0]
    assert {p.invoiceid for p in sandbox.state.payments} == {i.id for i in paid_or_partial}


def test_seed_is_deterministic_for_a_plan() -> None:
    plan = {"clients": 5, "invoices": 12, "today": date(2024, 6, 1)}
    first, second = SandboxState.new(), SandboxState.new()
    seed(first, **plan)
    seed(second, **plan)

    def dump(state: SandboxState) -> list[dict]:
        return [i.to_json(include_lines=True) for i in state.invoices]

    assert dump(first) == dump(second)
    assert all(i.updated.date() < date(2024, 6, 1) for i in first.invoices)
    other = SandboxState.new()
    seed(other, **plan, random_seed=1)
    assert dump(other) != dump(first)


def test_programmatic_records_show_up_in_the_api(
    sandbox: Sandbox, api: httpx.Client, accounting: str
) -> None:
    client = sandbox.state.add_client(organization="Acme Distribution", email="ap@acme.example")
    invoice = sandbox.state.add_invoice(
        client.id,
        date(2024, 5, 2),
        [NewLine(name="Widget", qty=Decimal(3), unit_cost=Decimal("9.99"))],
        sent=True,
    )
    body = api.get(f"{accounting}/invoices/invoices/{invoice.id}").json()
    assert body["response"]["result"]["invoice"]["amount"]["amount"] == "29.97"
    assert body["response"]["result"]["invoice"]["v3_status"] == "sent"


def test_state_refuses_unknown_records_and_fields(sandbox: Sandbox) -> None:
    with pytest.raises(SandboxDataError, match="no invoice with id 5"):
        sandbox.state.add_payment(5, Decimal(1), date(2024, 5, 2))
    with pytest.raises(SandboxDataError, match="no client with id 5"):
        sandbox.state.add_invoice(5, date(2024, 5, 2), [])
    with pytest.raises(SandboxDataError, match="shoe_size"):
        sandbox.state.add_client(organization="X", shoe_size=9)


def test_updated_always_moves_forward(sandbox: Sandbox) -> None:
    invoice = sandbox.state.invoices[0]
    stamps = [sandbox.state.mark_invoice_sent(invoice.id).updated for _ in range(3)]
    stamps += [sandbox.state.touch_invoice(invoice.id).updated for _ in range(3)]
    assert stamps == sorted(set(stamps))


def test_search_bounds() -> None:
    assert parse_bound("2024-05-10", upper=False) == datetime(2024, 5, 10, 0, 0, 0)
    assert parse_bound("2024-05-10", upper=True) == datetime(2024, 5, 10, 23, 59, 59)
    assert parse_bound("2024-05-10 16:02:11", upper=False) == datetime(2024, 5, 10, 16, 2, 11)
    assert parse_bound("2024-05-10T20:02:11Z", upper=False) == datetime(2024, 5, 10, 16, 2, 11)
    with pytest.raises(ValueError):
        parse_bound("last tuesday", upper=False)


@pytest.mark.parametrize("bad", [True, None, "NaN", "Infinity", "1,000", [1]])
def test_money_parsing_refuses_non_numbers(bad: object) -> None:
    with pytest.raises(ValueError):
        parse_decimal(bad)


def test_money_parsing_accepts_strings_numbers_and_objects() -> None:
    assert parse_money({"amount": "41.94", "code": "CAD"}) == (Decimal("41.94"), "CAD")
    assert parse_money(10) == (Decimal(10), None)
    with pytest.raises(ValueError):
        parse_money({"amount": "1", "code": 5})
