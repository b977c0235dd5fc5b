/**
 * How long long-running operations last. `uniform`: every operation takes `provisioningMs`. `realistic`: each kind
 * takes what it took in the recorded sessions against Azure (../shared/reference/recordings, startTime → endTime of
 * their mfeOperationsStatus), multiplied by `timeScale` so tests and benches can run the same timeline faster.
 */
import type { OperationAction } from './state.ts';

export type Resource = 'endpoint' | 'deployment';

/** Milliseconds per resource and action, from the recordings (see the README's timing table). */
export const REALISTIC_MS: Record<Resource, Record<OperationAction, number>> = {
  endpoint: {
    create: 49_800, // test_online_endpoint_e2e 49.2 s, test_online_deployment_update 49.8 s
    update: 70_100, // the traffic update of test_online_deployment_update
    delete: 7_200, // test_online_endpoint_e2e
    regenerateKeys: 7_200, // not recorded: taken as long as the endpoint's other short operation, a delete
  },
  deployment: {
    create: 536_000, // test_online_deployment_update: 8 min 56 s
    update: 320_400, // the same session's PUT from capacity 2 to 3: 5 min 20 s
    delete: 7_200, // not recorded for a deployment: taken as the endpoint's delete
    regenerateKeys: 0,
  },
};

export type TimingProfile = { kind: 'uniform'; provisioningMs: number } | { kind: 'realistic'; timeScale: number };

export function operationDurationMs(profile: TimingProfile, resource: Resource, action: OperationAction): number {
  if (profile.kind === 'uniform') return profile.provisioningMs;
  return Math.round(REALISTIC_MS[resource][action] * profile.timeScale);
}
