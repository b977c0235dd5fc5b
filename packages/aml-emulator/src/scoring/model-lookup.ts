/** Finds the registered model version a deployment points at, and its artifact. */
import { modelKey } from '../faults.ts';
import type { Service } from '../service.ts';
import type { AssetVersionRecord } from '../state.ts';
import type { ModelFault } from '../types.ts';
import { loadArtifact, parseModelId } from './model.ts';
import type { ArtifactResult, ModelVersionRef } from './model.ts';

export interface ResolvedModel {
  ref: ModelVersionRef;
  version: AssetVersionRecord;
  artifact: ArtifactResult;
  fault: ModelFault;
}

export function findModelVersion(service: Service, ref: ModelVersionRef): AssetVersionRecord | undefined {
  if (ref.subscriptionId.toLowerCase() !== service.subscriptionId.toLowerCase()) return undefined;
  return service.workspace(ref)?.assets.models[ref.name]?.versions[ref.version];
}

/** A data URI is decoded; a blob's artifact was read when the version was registered or deployed. */
export function artifactOf(service: Service, modelUri: unknown): ArtifactResult {
  if (typeof modelUri === 'string' && !modelUri.startsWith('data:')) {
    const cached = service.storage?.artifacts.get(modelUri);
    if (cached !== undefined) return cached;
  }
  return loadArtifact(modelUri);
}

export function resolveModel(service: Service, modelId: string): ResolvedModel | undefined {
  const ref = parseModelId(modelId);
  if (ref === undefined) return undefined;
  const version = findModelVersion(service, ref);
  if (version === undefined) return undefined;
  return {
    ref,
    version,
    artifact: artifactOf(service, version.properties['modelUri']),
    fault: service.faults.modelFault(modelKey(ref, ref.name, ref.version)),
  };
}
