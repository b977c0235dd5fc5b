/**
 * The subscription's compute in a region, as Usages_List, VirtualMachineSizes_List and Quotas_List
 * (machineLearningServices.json, 2022-10-01) report it: cores in use and the limit per VM family, and the sizes with
 * their family and vCPUs. Only the families of the managed online endpoints SKU list exist here.
 */
import { armError } from '../http/errors.ts';
import type { Reply, RequestContext, Route } from '../http/router.ts';
import type { Service } from '../service.ts';
import { armRoutes, checkApiVersion, page, PROVIDER } from './common.ts';
import { coreLimit, coresInUse } from './quota.ts';
import { familyDisplayName, VM_SIZES } from './vm-sizes.ts';

const BASE = `/subscriptions/{subscriptionId}/providers/${PROVIDER}/locations/{location}`;
const FAMILIES = [...new Set(VM_SIZES.map((size) => size.family))];

function location(service: Service, ctx: RequestContext, type: string): string {
  checkApiVersion(ctx, `${PROVIDER}/locations/${type}`);
  if ((ctx.params['subscriptionId'] ?? '').toLowerCase() !== service.subscriptionId.toLowerCase()) {
    throw armError(
      404,
      'SubscriptionNotFound',
      `The subscription '${ctx.params['subscriptionId'] ?? ''}' could not be found.`,
    );
  }
  return (ctx.params['location'] ?? '').toLowerCase();
}

function familyEntry(service: Service, region: string, family: string, kind: 'usages' | 'quotas') {
  const display = familyDisplayName(family);
  return {
    id: `/subscriptions/${service.subscriptionId}/${kind}/${display.replace(/ /g, '_')}`,
    type: `${PROVIDER}/vmFamily/${kind}`,
    amlWorkspaceLocation: region,
    unit: 'Count',
    name: { value: family, localizedValue: display },
    limit: coreLimit(service, family),
  };
}

function usages(service: Service, ctx: RequestContext): Reply {
  const region = location(service, ctx, 'usages');
  const used = coresInUse(service, region);
  const items = FAMILIES.map((family) => ({
    ...familyEntry(service, region, family, 'usages'),
    currentValue: used.get(family) ?? 0,
  }));
  return { status: 200, body: page(service, ctx, items) };
}

function quotas(service: Service, ctx: RequestContext): Reply {
  const region = location(service, ctx, 'quotas');
  return {
    status: 200,
    body: page(
      service,
      ctx,
      FAMILIES.map((f) => familyEntry(service, region, f, 'quotas')),
    ),
  };
}

function vmSizes(service: Service, ctx: RequestContext): Reply {
  location(service, ctx, 'vmSizes');
  const value = VM_SIZES.map((size) => ({
    name: size.name,
    family: size.family,
    vCPUs: size.cores,
  }));
  return { status: 200, body: { value } };
}

export function usageRoutes(service: Service): Route[] {
  return [
    armRoutes(BASE, 'Usages')('GET', '/usages', 'List', (ctx) => usages(service, ctx)),
    armRoutes(BASE, 'Quotas')('GET', '/quotas', 'List', (ctx) => quotas(service, ctx)),
    armRoutes(BASE, 'VirtualMachineSizes')('GET', '/vmSizes', 'List', (ctx) => vmSizes(service, ctx)),
  ];
}
