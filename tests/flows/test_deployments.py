"""prefect.yaml must load the way `prefect deploy` loads it, and name a real flow and parameters."""

import yaml
from prefect.cli.deploy._models import PrefectYamlModel
from prefect.client.schemas.schedules import CronSchedule
from prefect.flows import load_flow_from_entrypoint

from flows.ingest import ingest_articles
from tests.conftest import REPO


def test_prefect_yaml_deployments_load_and_point_at_the_flow():
    raw = yaml.safe_load((REPO / "prefect.yaml").read_text(encoding="utf-8"))
    model = PrefectYamlModel.model_validate(raw)
    assert [d.name for d in model.deployments] == ["ingest-hourly"]
    (deployment,) = raw["deployments"]
    path, name = deployment["entrypoint"].split(":")
    flow = load_flow_from_entrypoint(f"{REPO / path}:{name}")  # what a worker does
    assert flow.name == ingest_articles.name == "ingest_articles"
    flow.validate_parameters(deployment["parameters"])  # raises on unknown or mistyped parameters
    assert CronSchedule(**{k: v for k, v in deployment["schedules"][0].items() if k != "active"}).cron
    assert deployment["work_pool"]["name"] == "wirehouse-process"
