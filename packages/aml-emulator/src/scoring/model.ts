/** The model format the emulator runs: a linear model stored as a small JSON artifact. */
import type { EmulatedModel, WorkspaceRef } from '../types.ts';

export interface ModelVersionRef extends WorkspaceRef {
  subscriptionId: string;
  name: string;
  version: string;
}

const MODEL_ID =
  /^(?:azureml:)?\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.MachineLearningServices\/workspaces\/([^/]+)\/models\/([^/]+)\/versions\/([^/]+)$/i;

/** Parses the ARM id of a model version (as the SDK and CLI send it, with or without `azureml:`). */
export function parseModelId(id: string): ModelVersionRef | undefined {
  const match = MODEL_ID.exec(id);
  if (match === null) return undefined;
  const [, subscriptionId = '', resourceGroup = '', workspace = '', name = '', version = ''] = match;
  return { subscriptionId, resourceGroup, workspace, name, version };
}

export function toDataUri(model: EmulatedModel): string {
  return `data:application/json;base64,${Buffer.from(JSON.stringify(model)).toString('base64')}`;
}

export type ArtifactResult =
  { ok: true; model: EmulatedModel } | { ok: false; stage: 'download' | 'init'; message: string };

const DATA_URI = /^data:application\/json(;base64)?,(.*)$/s;

function isNumberArray(value: unknown): value is number[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'number' && Number.isFinite(item));
}

/** "Downloads" (decodes) and "initialises" (validates) a model artifact. */
export function loadArtifact(modelUri: unknown): ArtifactResult {
  if (typeof modelUri !== 'string')
    return { ok: false, stage: 'download', message: 'the model version has no modelUri' };
  const match = DATA_URI.exec(modelUri);
  if (match === null) {
    return {
      ok: false,
      stage: 'download',
      message: `cannot download ${modelUri}: the emulator serves data:application/json URIs, models registered through it and, with blob storage on, blobs in its datastore`,
    };
  }
  let payload: string;
  try {
    payload =
      match[1] === undefined ? decodeURIComponent(match[2] ?? '') : Buffer.from(match[2] ?? '', 'base64').toString();
  } catch (error) {
    return { ok: false, stage: 'init', message: `json.decoder.JSONDecodeError: ${(error as Error).message}` };
  }
  return parseArtifact(payload);
}

/** "Initialises" (validates) the text of a model artifact. */
export function parseArtifact(payload: string): ArtifactResult {
  let document: unknown;
  try {
    document = JSON.parse(payload);
  } catch (error) {
    return { ok: false, stage: 'init', message: `json.decoder.JSONDecodeError: ${(error as Error).message}` };
  }
  const candidate = document as Partial<EmulatedModel> | null;
  if (candidate?.format !== 'linear/v1') {
    return {
      ok: false,
      stage: 'init',
      message: `ValueError: unsupported model format ${JSON.stringify(candidate?.format)}`,
    };
  }
  if (!isNumberArray(candidate.weights) || candidate.weights.length === 0) {
    return { ok: false, stage: 'init', message: 'ValueError: "weights" must be a non-empty array of numbers' };
  }
  if (candidate.bias !== undefined && typeof candidate.bias !== 'number') {
    return { ok: false, stage: 'init', message: 'ValueError: "bias" must be a number' };
  }
  return { ok: true, model: { format: 'linear/v1', weights: candidate.weights, bias: candidate.bias ?? 0 } };
}

export class InputError extends Error {}

/** `{"data": [[...], ...]}` → one prediction per row: weights · row + bias. */
export function predict(model: EmulatedModel, body: unknown): number[] {
  const data = (body as { data?: unknown } | null)?.data;
  if (!Array.isArray(data) || data.length === 0) {
    throw new InputError('Expected a JSON object {"data": [[...], ...]} with at least one row.');
  }
  return data.map((row, index) => {
    if (!isNumberArray(row) || row.length !== model.weights.length) {
      throw new InputError(
        `Row ${index} must be an array of ${model.weights.length} numbers, got ${JSON.stringify(row)?.slice(0, 80)}.`,
      );
    }
    return row.reduce((sum, value, column) => sum + value * (model.weights[column] ?? 0), model.bias ?? 0);
  });
}
