/** Container logs of a deployment, worded like the storage initializer and the AzureML inference server. */
import type { DeploymentRecord } from '../state.ts';

const MAX_LINES = 2000;
const SERVER = 'azmlinfsrv';

function stamp(at: Date): string {
  return at.toISOString().replace('T', ' ').replace('Z', '').replace('.', ',');
}

function append(lines: string[], added: string[]): void {
  lines.push(...added);
  if (lines.length > MAX_LINES) lines.splice(0, lines.length - MAX_LINES);
}

export interface ModelInfo {
  name: string;
  version: string;
  uri: string;
}

function modelDirectory(model: ModelInfo | undefined): string {
  return model === undefined
    ? '/var/azureml-app/azureml-models'
    : `/var/azureml-app/azureml-models/${model.name}/${model.version}`;
}

export function logDownload(
  deployment: DeploymentRecord,
  at: Date,
  model: ModelInfo | undefined,
  failure?: string,
): void {
  const lines: string[] = [];
  if (model === undefined) {
    lines.push(`${stamp(at)} | INFO | No model to download for deployment ${deployment.name}`);
  } else {
    const shownUri = model.uri.length > 64 ? `${model.uri.slice(0, 61)}...` : model.uri;
    lines.push(`${stamp(at)} | INFO | Downloading model azureml:${model.name}:${model.version} from ${shownUri}`);
    lines.push(
      failure === undefined
        ? `${stamp(at)} | INFO | Model download complete, saved to ${modelDirectory(model)}`
        : `${stamp(at)} | ERROR | Failed to download model azureml:${model.name}:${model.version}: ${failure}`,
    );
  }
  append(deployment.logs.storageInitializer, lines);
}

export function logServerStart(
  deployment: DeploymentRecord,
  at: Date,
  model: ModelInfo | undefined,
  timeoutMs: number,
): void {
  append(deployment.logs.inferenceServer, [
    `${stamp(at)} I [1] ${SERVER} - Starting AzureML Inference Server HTTP (emulated).`,
    '',
    'Azure ML Inferencing HTTP server (aml-emulator)',
    '',
    'Server Settings',
    '---------------',
    'Entry Script Name: /var/azureml-app/score.py',
    `Model Directory: ${modelDirectory(model)}`,
    `Worker Count: 1`,
    `Scoring Timeout (ms): ${timeoutMs}`,
    '',
    `${stamp(at)} I [1] ${SERVER}.user_script - Found user script at /var/azureml-app/score.py`,
    `${stamp(at)} I [1] ${SERVER}.user_script - Invoking user's init function`,
  ]);
}

export function logInitSucceeded(deployment: DeploymentRecord, at: Date): void {
  append(deployment.logs.inferenceServer, [
    `${stamp(at)} I [1] ${SERVER}.user_script - Users's init has completed successfully`,
    `${stamp(at)} I [1] ${SERVER} - Server is ready to receive requests`,
  ]);
}

export function logInitFailed(deployment: DeploymentRecord, at: Date, message: string): void {
  append(deployment.logs.inferenceServer, [
    `${stamp(at)} E [1] ${SERVER} - User's init function failed`,
    `${stamp(at)} E [1] ${SERVER} - Encountered Exception Traceback (most recent call last):`,
    '  File "/opt/miniconda/envs/amlenv/lib/python3.9/site-packages/azureml_inference_server_http/server/user_script.py", line 117, in invoke_init',
    '    self._user_init()',
    '  File "/var/azureml-app/score.py", line 12, in init',
    '    model = load_model(model_path)',
    message.includes(':') ? message : `RuntimeError: ${message}`,
    `${stamp(at)} E [1] ${SERVER} - Worker exited, the container will be restarted (CrashLoopBackOff)`,
  ]);
}

export function logRequest(
  deployment: DeploymentRecord,
  at: Date,
  status: number,
  elapsedMs: number,
  note?: string,
): void {
  const suffix = note === undefined ? '' : ` ${note}`;
  append(deployment.logs.inferenceServer, [
    `${stamp(at)} I [1] ${SERVER} - POST /score ${status} ${elapsedMs.toFixed(3)}ms${suffix}`,
  ]);
}

export function logScoringError(deployment: DeploymentRecord, at: Date, message: string): void {
  append(deployment.logs.inferenceServer, [
    `${stamp(at)} E [1] ${SERVER} - Encountered Exception Traceback (most recent call last):`,
    '  File "/var/azureml-app/score.py", line 24, in run',
    '    result = model.predict(data)',
    message.includes(':') ? message : `RuntimeError: ${message}`,
  ]);
}

export function logStopped(deployment: DeploymentRecord, at: Date): void {
  append(deployment.logs.inferenceServer, [
    `${stamp(at)} I [1] ${SERVER} - Shutting down the previous version of the deployment`,
  ]);
}

export function tail(lines: string[], count: number | undefined): string {
  const selected = count === undefined || count <= 0 ? lines : lines.slice(-count);
  return selected.join('\n');
}
