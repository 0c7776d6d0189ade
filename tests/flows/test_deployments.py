"""prefect.yaml must load the way `prefect deploy` loads it, and name a real flow and parameters."""

import asyncio

import pytest
import yaml
from prefect.cli.deploy._models import PrefectYamlModel
from prefect.client.schemas.actions import WorkPoolCreate
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
    # the worker's runs stay under fixed roots, whatever parameters a caller of the API gives
    assert set(deployment["work_pool"]["job_variables"]["env"]) == {
        "WIREHOUSE_SOURCE_ROOTS",
        "WIREHOUSE_WAREHOUSE_ROOTS",
    }


@pytest.mark.usefixtures("prefect_harness")
def test_server_answers_the_filter_calls_prefect_deploy_makes():
    """fastapi >= 0.151 makes Prefect 3.8's server reject `limit: null` (422) on every filter
    endpoint, which breaks `prefect deploy` and `prefect deployment ls`; the pin keeps it working."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import WorkerFilter

    async def calls():
        async with get_client() as client:
            await client.create_work_pool(WorkPoolCreate(name="wirehouse-test-pool", type="process"))
            await client.read_workers_for_work_pool(
                "wirehouse-test-pool", worker_filter=WorkerFilter(status={"any_": ["ONLINE"]})
            )
            return await client.read_deployments()

    assert isinstance(asyncio.run(calls()), list)
