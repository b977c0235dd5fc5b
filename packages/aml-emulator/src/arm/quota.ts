/**
 * Cores quota per VM family and region, as managed online deployments consume it: every deployment reserves
 * ceil(1.2 × instances) × cores of its size's family (instances × cores for the sizes exempt from the 20 %), in-place
 * updates and scaling included; a request that would go over the family's limit is refused synchronously with a
 * 400 BadRequest whose reason is nested in `details` (see README "Quota").
 */
import { randomBytes } from 'node:crypto';
import { invalidRequest } from '../http/errors.ts';
import { capacityOf } from './common.ts';
import type { Service } from '../service.ts';
import type { DeploymentRecord, WorkspaceState } from '../state.ts';
import { findVmSize, reservedCores, type VmSize } from './vm-sizes.ts';

/** The cores a deployment holds, by family; Kubernetes deployments run on their own cluster and hold none. */
function holding(deployment: DeploymentRecord): { family: string; cores: number } | undefined {
  if (deployment.properties['endpointComputeType'] !== 'Managed') return undefined;
  const size = findVmSize(String(deployment.properties['instanceType']));
  return size && { family: size.family, cores: reservedCores(size, capacityOf(deployment.sku)) };
}

/** Cores in use per family in a region, across the subscription's workspaces. */
export function coresInUse(service: Service, location: string): Map<string, number> {
  const used = new Map<string, number>();
  for (const workspace of Object.values(service.state.workspaces)) {
    if (workspace.location !== location) continue;
    for (const deployments of Object.values(workspace.deployments)) {
      for (const deployment of Object.values(deployments)) {
        const held = holding(deployment);
        if (held) used.set(held.family, (used.get(held.family) ?? 0) + held.cores);
      }
    }
  }
  return used;
}

export function coreLimit(service: Service, family: string): number {
  return service.quotaFor(family);
}

function traceId(): string {
  return `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`;
}

/** The service's words, nested as it nests them: an ASP.NET validation problem inside the detail's message. */
function outOfQuota(service: Service, instanceType: string, used: number, limit: number, needed: number) {
  const problem = {
    errors: {
      VmSize: [
        `Not enough quota available for ${instanceType} in SubscriptionId ${service.subscriptionId}. Current usage/limit: ${used}/${limit}. Additional needed: ${needed} Please see troubleshooting guide, available here: https://aka.ms/oe-tsg#error-outofquota`,
      ],
    },
    type: 'https://tools.ietf.org/html/rfc7231#section-6.5.1',
    title: 'One or more validation errors occurred.',
    status: 400,
    traceId: traceId(),
  };
  return invalidRequest([
    {
      code: 'InferencingClientCreateDeploymentFailed',
      message: `InferencingClient HttpRequest error, error detail: ${JSON.stringify(problem)}`,
    },
  ]);
}

/**
 * Refuses `requested` instances of `size` when its family's cores would go over the limit. The deployment being
 * replaced (in-place update, scaling) gives its own reservation back first.
 */
export function checkQuota(
  service: Service,
  workspace: WorkspaceState,
  request: { instanceType: string; size: VmSize; instances: number },
  replacing?: DeploymentRecord,
): void {
  const { size } = request;
  const used = coresInUse(service, workspace.location).get(size.family) ?? 0;
  const released = replacing && holding(replacing)?.family === size.family ? (holding(replacing)?.cores ?? 0) : 0;
  const needed = reservedCores(size, request.instances) - released;
  const limit = coreLimit(service, size.family);
  if (needed > 0 && used + needed > limit) throw outOfQuota(service, request.instanceType, used, limit, needed);
}
