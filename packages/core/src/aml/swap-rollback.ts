import { UserError } from '../errors.ts';
import { liveDeployment, planRollback, sameTraffic } from '../slots.ts';
import type { SwapOptions, SwapResult } from './swap.ts';
import { checkRollbackTarget, recordedSplit } from './slot-records.ts';
import { applyTraffic } from './traffic-update.ts';
import type { EndpointState } from './workspace.ts';

/**
 * `mode: rollback`: restore the split from before the last promotion (recorded on the endpoint), or hand traffic back
 * to the previous slot. An update still running on the endpoint (a cancelled promotion's) is waited for first.
 */

export function noChange(endpoint: EndpointState): SwapResult {
  return {
    endpoint: endpoint.name,
    liveDeployment: undefined,
    previousDeployment: undefined,
    before: endpoint.traffic,
    after: endpoint.traffic,
    mirror: { before: endpoint.mirror, after: endpoint.mirror },
    steps: [],
    cleanup: undefined,
    changed: false,
  };
}

export async function rollbackMode(options: SwapOptions): Promise<SwapResult> {
  const { workspace, log } = options;
  // The settled endpoint is what the rollback works from; only a missing one is asked again, for its error.
  const endpoint =
    (await workspace.waitForEndpoint(options.endpoint, options.operation)) ??
    (await workspace.requireEndpoint(options.endpoint));
  const deployments = await workspace.listDeployments(endpoint.name);
  const recorded = options.previousDeployment
    ? undefined
    : recordedSplit(
        endpoint,
        deployments.map((d) => d.name),
      );
  if (recorded && sameTraffic(recorded, endpoint.traffic)) {
    log(
      `Nothing to roll back on endpoint ${endpoint.name}: traffic is already ${JSON.stringify(recorded)}, the split before the last promotion.`,
    );
    return { ...noChange(endpoint), liveDeployment: liveDeployment(endpoint.traffic) };
  }
  let target: Record<string, number>;
  if (recorded) {
    target = recorded;
  } else {
    const plan = planRollback(endpoint.traffic, options.slots, options.previousDeployment);
    if (!plan.ok) throw new UserError(`Cannot roll back endpoint ${endpoint.name}: ${plan.reason}`);
    target = plan.traffic;
  }
  const unusable = Object.entries(target)
    .filter(
      ([name, percent]) => percent > 0 && deployments.find((d) => d.name === name)?.provisioningState !== 'Succeeded',
    )
    .map(([name]) => name);
  if (unusable.length > 0) {
    throw new UserError(
      `Cannot roll back endpoint ${endpoint.name} to ${JSON.stringify(target)}: ${unusable.join(', ')} is missing or not Succeeded. Nothing was changed.`,
    );
  }
  const check = options.requireTested ? await checkRollbackTarget(workspace, endpoint, target, deployments) : undefined;
  if (check && !check.ok) {
    throw new UserError(
      `Cannot roll back endpoint ${endpoint.name} to ${JSON.stringify(target)}: ${check.reason}. Nothing was changed.`,
    );
  }
  log(
    `Rolling back endpoint ${endpoint.name}${recorded ? ' to the split before the last promotion' : ''}: ${JSON.stringify(endpoint.traffic)} → ${JSON.stringify(target)}` +
      (check ? `, restoring ${check.restores}` : ''),
  );
  const observed = await applyTraffic(options, endpoint, target);
  return {
    endpoint: endpoint.name,
    liveDeployment: liveDeployment(observed.traffic),
    previousDeployment: liveDeployment(endpoint.traffic),
    before: endpoint.traffic,
    after: observed.traffic,
    mirror: { before: endpoint.mirror, after: observed.mirror },
    steps: [{ traffic: target, probe: undefined, at: new Date().toISOString() }],
    cleanup: undefined,
    changed: true,
  };
}
