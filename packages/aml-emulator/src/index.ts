/** @mlops-actions/aml-emulator: a local Azure ML control plane, Entra token endpoint and scoring plane. */
export { startEmulator } from './emulator.ts';
export { toDataUri as modelDataUri } from './scoring/model.ts';
export { DEFAULT_ENDPOINT_RPS, DEFAULT_QUOTA } from './types.ts';
export type {
  EmulatedModel,
  Emulator,
  EmulatorCredentials,
  EmulatorOptions,
  EmulatorStorage,
  EmulatorUrls,
  Faults,
  HttpFaultRule,
  ModelFault,
  OperationFault,
  OperationFailureCode,
  OperationFaultTarget,
  OperationLogEntry,
  RequestLogEntry,
  StoredBlob,
  TrafficChange,
  WorkspaceRef,
} from './types.ts';
