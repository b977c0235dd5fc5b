"""A whole online-endpoint lifecycle through Debian's python3-azure (azure-mgmt-machinelearningservices,
api-version 2022-10-01, its own serializer and LRO poller): a second, independent client of the emulator.

Reads the emulator's connection line (JSON) from EMULATOR_INFO and the models' data URIs from MODEL_URIS; prints one
line per step and exits non-zero at the first step that does not behave as Azure would.
"""
import datetime
import json
import os
import sys

import requests
from azure.core.exceptions import ResourceNotFoundError
from azure.identity import ClientSecretCredential
from azure.mgmt.machinelearningservices import MachineLearningServicesMgmtClient
from azure.mgmt.machinelearningservices import models as m

info = json.loads(os.environ["EMULATOR_INFO"])
model_uris = json.loads(os.environ["MODEL_URIS"])
features = [[1, 2, 3], [4, 5, 6]]
expected = json.loads(os.environ["EXPECTED_ANSWERS"])
rg, ws, endpoint_name = info["resourceGroup"], info["workspace"], "py-lifecycle"
poll = {"polling_interval": 0.05}


def step(text):
    print(f"python-azure: {text}", flush=True)


def check(condition, text):
    if not condition:
        raise AssertionError(text)


credential = ClientSecretCredential(
    info["tenantId"],
    info["clientId"],
    info["clientSecret"],
    authority=info["authorityHost"],
    instance_discovery=False,
)
client = MachineLearningServicesMgmtClient(
    credential,
    info["subscriptionId"],
    base_url=info["armEndpoint"],
    credential_scopes=[f"{info['armEndpoint']}.default"],
)

for version, uri in model_uris.items():
    registered = client.model_versions.create_or_update(
        rg, ws, "py-model", version, m.ModelVersion(properties=m.ModelVersionProperties(model_uri=uri))
    )
    check(registered.name == version, f"model version {version} registered as {registered.name}")
latest = [v.name for v in client.model_versions.list(rg, ws, "py-model", order_by="createdtime desc", top=5)]
check(sorted(latest) == sorted(model_uris), f"model versions listed: {latest}")
step(f"models: registered and listed versions {', '.join(sorted(latest))}")
environment = client.environment_versions.create_or_update(
    rg,
    ws,
    "py-env",
    "1",
    m.EnvironmentVersion(
        properties=m.EnvironmentVersionProperties(image="mcr.microsoft.com/azureml/minimal-py312-inference:latest")
    ),
)

endpoint = client.online_endpoints.begin_create_or_update(
    rg,
    ws,
    endpoint_name,
    m.OnlineEndpoint(location="eastus", properties=m.OnlineEndpointProperties(auth_mode="Key")),
    **poll,
).result()
check(endpoint.properties.provisioning_state == "Succeeded", f"endpoint {endpoint.properties.provisioning_state}")
check(endpoint.properties.scoring_uri, "no scoring URI once the endpoint exists")
step(f"endpoint: created, {endpoint.properties.provisioning_state}, scoring at {endpoint.properties.scoring_uri}")


def model_id(version):
    return (
        f"/subscriptions/{info['subscriptionId']}/resourceGroups/{rg}/providers/Microsoft.MachineLearningServices"
        f"/workspaces/{ws}/models/py-model/versions/{version}"
    )


def deployment(version, timeout_ms):
    return m.OnlineDeployment(
        location="eastus",
        sku=m.Sku(name="Default", capacity=1),
        properties=m.ManagedOnlineDeployment(
            model=model_id(version),
            environment_id=environment.id,
            instance_type="Standard_DS3_v2",
            request_settings=m.OnlineRequestSettings(request_timeout=timeout_ms),
        ),
    )



blue = client.online_deployments.begin_create_or_update(
    rg, ws, endpoint_name, "blue", deployment("1", datetime.timedelta(seconds=60)), **poll
).result()
check(blue.properties.provisioning_state == "Succeeded", f"deployment {blue.properties.provisioning_state}")
timeout = blue.properties.request_settings.request_timeout
check(timeout == datetime.timedelta(seconds=60), f"requestTimeout read back as {timeout!r}")
step(f"deployment: blue created, {blue.properties.provisioning_state}, request timeout {timeout}")

endpoint.properties.traffic = {"blue": 100}
endpoint = client.online_endpoints.begin_create_or_update(rg, ws, endpoint_name, endpoint, **poll).result()
check(endpoint.properties.traffic == {"blue": 100}, f"traffic {endpoint.properties.traffic}")
step(f"traffic: {endpoint.properties.traffic}")

keys = client.online_endpoints.list_keys(rg, ws, endpoint_name)
check(keys.primary_key and keys.secondary_key, "keys missing")
step("keys: listed (primary and secondary)")


def score():
    response = requests.post(
        endpoint.properties.scoring_uri,
        headers={"Authorization": f"Bearer {keys.primary_key}", "Content-Type": "application/json"},
        json={"data": features},
        timeout=30,
    )
    check(response.status_code == 200, f"scoring answered {response.status_code}: {response.text}")
    return response.json(), response.headers.get("azureml-model-deployment")


answer, served_by = score()
check(answer == expected["1"], f"v1 answered {answer}, expected {expected['1']}")
step(f"scoring: {served_by} answered {answer} (model v1)")

blue = client.online_deployments.begin_create_or_update(
    rg, ws, endpoint_name, "blue", deployment("2", datetime.timedelta(seconds=60)), **poll
).result()
check(blue.properties.model == model_id("2"), f"in-place update left model {blue.properties.model}")
answer, served_by = score()
check(answer == expected["2"], f"v2 answered {answer}, expected {expected['2']}")
step(f"in-place update: blue now serves v2, answered {answer}")

logs = client.online_deployments.get_logs(
    rg, ws, endpoint_name, "blue", m.DeploymentLogsRequest(container_type="InferenceServer", tail=50)
)
check("Server is ready" in (logs.content or ""), f"inference-server log: {logs.content!r}")
step(f"logs: {len(logs.content.splitlines())} lines of the inference server")

client.online_endpoints.begin_delete(rg, ws, endpoint_name, **poll).result()
try:
    client.online_endpoints.get(rg, ws, endpoint_name)
    check(False, "the endpoint is still there after its delete")
except ResourceNotFoundError as error:
    step(f"delete: gone ({error.status_code})")
step("lifecycle passed")
sys.exit(0)
