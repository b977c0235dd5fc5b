/** Exchanges of the recordings the emulator does not answer as Azure did, and why (see replay.test.ts). */
export interface KnownDifference {
  file: string;
  entries: number[];
  /** What differs: api-version, status, headers, state, shape. */
  differs: string[];
  reason: string;
}

export const KNOWN_DIFFERENCES: KnownDifference[] = [
  {
    file: 'test_code.pyTestCodetest_create_and_get.json',
    entries: [1],
    differs: ['status', 'shape'],
    reason:
      "startPendingUpload (the SDK's upload handshake with a SAS for the real account) is not emulated: clients upload to the datastore's blob service with its credentials",
  },
  {
    file: 'test_code.pyTestCodetest_create_and_get.json',
    entries: [5, 6],
    differs: ['state', 'shape'],
    reason:
      "provisioningState, stage, autoDeleteSetting, intellectualProperty, jobName of asset versions are later api-versions' properties the emulator does not emulate (pending versions' property gating); unset optional properties are null in Azure's answers and absent from the emulator's (clients read both as unset; the 2022-10-01 spec declares no nulls)",
  },
  {
    file: 'test_datastore.pyTestDatastoretest_blob_store.json',
    entries: [0],
    differs: ['status', 'headers', 'shape'],
    reason: 'datastores are read-only in the emulator (the default workspaceblobstore only; no datastore creation)',
  },
  {
    file: 'test_datastore.pyTestDatastoretest_blob_store.json',
    entries: [1, 2],
    differs: ['status', 'shape'],
    reason:
      'datastores exist only with blobStorage on (Azurite); the replay runs without it, so workspaceblobstore and the created datastore are absent',
  },
  {
    file: 'test_datastore.pyTestDatastoretest_blob_store.json',
    entries: [3],
    differs: ['shape'],
    reason:
      'datastores exist only with blobStorage on (Azurite); the replay runs without it, so workspaceblobstore and the created datastore are absent',
  },
  {
    file: 'test_environment.pyTestEnvironmenttest_environment_create_conda.json',
    entries: [0],
    differs: ['state', 'shape'],
    reason:
      "provisioningState, stage, autoDeleteSetting, intellectualProperty, jobName of asset versions are later api-versions' properties the emulator does not emulate (pending versions' property gating); unset optional properties are null in Azure's answers and absent from the emulator's (clients read both as unset; the 2022-10-01 spec declares no nulls)",
  },
  {
    file: 'test_environment.pyTestEnvironmenttest_environment_get.json',
    entries: [0],
    differs: ['status', 'state', 'shape'],
    reason: 'curated environments (AzureML-\u2026) of the system registry are not emulated',
  },
  {
    file: 'test_environment.pyTestEnvironmenttest_environment_get_latest_label.json',
    entries: [0, 2, 4, 6],
    differs: ['state', 'shape'],
    reason:
      "provisioningState, stage, autoDeleteSetting, intellectualProperty, jobName of asset versions are later api-versions' properties the emulator does not emulate (pending versions' property gating); unset optional properties are null in Azure's answers and absent from the emulator's (clients read both as unset; the 2022-10-01 spec declares no nulls)",
  },
  {
    file: 'test_environment.pyTestEnvironmenttest_environment_get_latest_label.json',
    entries: [1, 3, 5, 7],
    differs: ['shape'],
    reason:
      "the azureml.labels property Azure adds to listed environment versions is not emulated; provisioningState, stage, autoDeleteSetting, intellectualProperty, jobName of asset versions are later api-versions' properties the emulator does not emulate (pending versions' property gating); unset optional properties are null in Azure's answers and absent from the emulator's (clients read both as unset; the 2022-10-01 spec declares no nulls)",
  },
  {
    file: 'test_model.pyTestModeltest_crud_file.json',
    entries: [0],
    differs: ['shape'],
    reason:
      "Azure's error bodies carry additionalInfo (component, correlation, region, time); the emulator's have an empty list",
  },
  {
    file: 'test_model.pyTestModeltest_crud_file.json',
    entries: [1, 2],
    differs: ['status', 'shape'],
    reason:
      'datastores exist only with blobStorage on (Azurite); the replay runs without it, so workspaceblobstore and the created datastore are absent',
  },
  {
    file: 'test_model.pyTestModeltest_crud_file.json',
    entries: [5, 6],
    differs: ['state', 'shape'],
    reason:
      "provisioningState, stage, autoDeleteSetting, intellectualProperty, jobName of asset versions are later api-versions' properties the emulator does not emulate (pending versions' property gating); unset optional properties are null in Azure's answers and absent from the emulator's (clients read both as unset; the 2022-10-01 spec declares no nulls)",
  },
  {
    file: 'test_model.pyTestModeltest_crud_file.json',
    entries: [7],
    differs: ['shape'],
    reason:
      "provisioningState, stage, autoDeleteSetting, intellectualProperty, jobName of asset versions are later api-versions' properties the emulator does not emulate (pending versions' property gating); unset optional properties are null in Azure's answers and absent from the emulator's (clients read both as unset; the 2022-10-01 spec declares no nulls)",
  },
  {
    file: 'test_model.pyTestModeltest_list_no_name.json',
    entries: [0],
    differs: ['shape'],
    reason:
      "the recorded workspace held many models; the replay's workspace holds none; provisioningState, stage, autoDeleteSetting, intellectualProperty, jobName of asset versions are later api-versions' properties the emulator does not emulate (pending versions' property gating); unset optional properties are null in Azure's answers and absent from the emulator's (clients read both as unset; the 2022-10-01 spec declares no nulls)",
  },
  {
    file: 'test_online_deployment.pyTestOnlineDeploymenttest_online_deployment_update.json',
    entries: [0, 16, 115, 125],
    differs: ['shape'],
    reason:
      'the emulator answers a minimal workspace (name, location, ids): managedNetwork, softDeleteEnabled and the other workspace settings are not emulated',
  },
  {
    file: 'test_online_deployment.pyTestOnlineDeploymenttest_online_deployment_update.json',
    entries: [1, 5, 6, 17, 112, 113, 114, 121, 122, 124, 138],
    differs: ['shape'],
    reason:
      "unset optional properties are null in Azure's answers and absent from the emulator's (clients read both as unset; the 2022-10-01 spec declares no nulls)",
  },
  {
    file: 'test_online_deployment.pyTestOnlineDeploymenttest_online_deployment_update.json',
    entries: [7],
    differs: ['shape'],
    reason:
      "Azure answers the hash lookup across code containers (the version found is in another container); the emulator filters within the named container; provisioningState, stage, autoDeleteSetting, intellectualProperty, jobName of asset versions are later api-versions' properties the emulator does not emulate (pending versions' property gating); unset optional properties are null in Azure's answers and absent from the emulator's (clients read both as unset; the 2022-10-01 spec declares no nulls)",
  },
  {
    file: 'test_online_deployment.pyTestOnlineDeploymenttest_online_deployment_update.json',
    entries: [8],
    differs: ['state', 'shape'],
    reason:
      "provisioningState, stage, autoDeleteSetting, intellectualProperty, jobName of asset versions are later api-versions' properties the emulator does not emulate (pending versions' property gating); unset optional properties are null in Azure's answers and absent from the emulator's (clients read both as unset; the 2022-10-01 spec declares no nulls)",
  },
  {
    file: 'test_online_deployment.pyTestOnlineDeploymenttest_online_deployment_update.json',
    entries: [9],
    differs: ['state', 'shape'],
    reason:
      "unset optional properties are null in Azure's answers and absent from the emulator's (clients read both as unset; the 2022-10-01 spec declares no nulls)",
  },
  {
    file: 'test_online_deployment.pyTestOnlineDeploymenttest_online_deployment_update.json',
    entries: [10],
    differs: ['shape'],
    reason:
      "the session's model container held no listed version (the SDK then re-registered version 1); the replay seeds version 1 with an emulator artifact so the deployment can start",
  },
  {
    file: 'test_online_deployment.pyTestOnlineDeploymenttest_online_deployment_update.json',
    entries: [11, 12],
    differs: ['status', 'shape'],
    reason:
      'datastores exist only with blobStorage on (Azurite); the replay runs without it, so workspaceblobstore and the created datastore are absent',
  },
  {
    file: 'test_online_deployment.pyTestOnlineDeploymenttest_online_deployment_update.json',
    entries: [15],
    differs: ['status', 'state', 'shape'],
    reason:
      "Azure's error bodies carry additionalInfo (component, correlation, region, time); the emulator's have an empty list; asset versions are immutable: the seeded version 1 holds the emulator's artifact, the recorded PUT re-sends the session's blob URI, so the emulator answers 409; provisioningState, stage, autoDeleteSetting, intellectualProperty, jobName of asset versions are later api-versions' properties the emulator does not emulate (pending versions' property gating); unset optional properties are null in Azure's answers and absent from the emulator's (clients read both as unset; the 2022-10-01 spec declares no nulls)",
  },
  {
    file: 'test_online_deployment.pyTestOnlineDeploymenttest_online_deployment_update.json',
    entries: [116, 126],
    differs: ['shape'],
    reason:
      "a PUT on an existing endpoint/deployment is 201 Creating in both; Azure's answer also has a null instanceType and systemData with lastModifiedAt only; unset optional properties are null in Azure's answers and absent from the emulator's (clients read both as unset; the 2022-10-01 spec declares no nulls)",
  },
  {
    file: 'test_online_deployment.pyTestOnlineDeploymenttest_online_deployment_update.json',
    entries: [123],
    differs: ['shape'],
    reason:
      "unset optional properties are null in Azure's answers and absent from the emulator's (clients read both as unset; the 2022-10-01 spec declares no nulls); privateNetworkConnection of deployments (a preview property) is not emulated",
  },
  {
    file: 'test_online_endpoint.pyTestOnlineEndpointtest_online_endpoint_e2e.json',
    entries: [0],
    differs: ['shape'],
    reason:
      'the emulator answers a minimal workspace (name, location, ids): managedNetwork, softDeleteEnabled and the other workspace settings are not emulated',
  },
  {
    file: 'test_online_endpoint.pyTestOnlineEndpointtest_online_endpoint_e2e.json',
    entries: [1, 5, 6, 8],
    differs: ['shape'],
    reason:
      "unset optional properties are null in Azure's answers and absent from the emulator's (clients read both as unset; the 2022-10-01 spec declares no nulls)",
  },
];
