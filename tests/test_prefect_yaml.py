"""prefect.yaml is what operators deploy: each deployment names a real flow and valid settings."""

import importlib
from pathlib import Path

import pytest
import yaml

from connector.partners import PartnerSettings

PROJECT = Path(__file__).resolve().parent.parent
DEPLOYMENTS = yaml.safe_load((PROJECT / "prefect.yaml").read_text())["deployments"]


@pytest.mark.parametrize("deployment", DEPLOYMENTS, ids=[d["name"] for d in DEPLOYMENTS])
def test_deployment_points_at_a_flow_with_valid_partner_settings(deployment):
    module_path, name = deployment["entrypoint"].split(":")
    module = importlib.import_module(module_path.removesuffix(".py").replace("/", "."))
    flow = getattr(module, name)
    assert set(deployment["parameters"]) <= set(flow.parameters.properties)
    if "partner" in deployment["parameters"]:
        partner = PartnerSettings.model_validate(deployment["parameters"]["partner"])
        assert partner.mapping_path().is_file()
    assert deployment["schedules"], "every flow runs on a schedule"
