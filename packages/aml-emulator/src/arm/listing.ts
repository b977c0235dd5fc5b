/** `$orderBy`, `$top` and `listViewType` of the asset and deployment lists. */
import { badArgument } from '../http/errors.ts';
import type { RequestContext } from '../http/router.ts';

export interface Sortable {
  name: string;
  createdAt: string;
  lastModifiedAt: string;
  isArchived: boolean;
}

const collator = new Intl.Collator('en', { numeric: true });

const FIELDS: Record<string, (item: Sortable) => string> = {
  createdtime: (item) => item.createdAt,
  createdat: (item) => item.createdAt,
  lastmodifiedtime: (item) => item.lastModifiedAt,
  updatedtime: (item) => item.lastModifiedAt,
  name: (item) => item.name,
  version: (item) => item.name,
};

/** Accepts `createdtime desc`, `name asc`, `version desc` (numeric-aware), … */
export function orderItems<T extends Sortable>(items: T[], orderBy: string | null): T[] {
  if (orderBy === null || orderBy.trim() === '') return items;
  const [field = '', direction = 'asc', ...rest] = orderBy.trim().toLowerCase().split(/\s+/);
  const key = FIELDS[field];
  if (key === undefined || rest.length > 0 || (direction !== 'asc' && direction !== 'desc')) {
    throw badArgument(
      `Unsupported $orderBy '${orderBy}': use '<createdtime|lastmodifiedtime|name|version> [asc|desc]'.`,
    );
  }
  const sign = direction === 'desc' ? -1 : 1;
  return [...items].sort((a, b) => collator.compare(key(a), key(b)) * sign);
}

export function topOf<T>(items: T[], ctx: RequestContext, parameter = '$top'): T[] {
  const raw = ctx.query.get(parameter);
  if (raw === null) return items;
  const top = Number(raw);
  if (!Number.isInteger(top) || top < 0) throw badArgument(`'${parameter}' must be a non-negative integer.`);
  return items.slice(0, top);
}

export function filterByViewType<T extends Sortable>(items: T[], ctx: RequestContext): T[] {
  const view = ctx.query.get('listViewType') ?? 'ActiveOnly';
  switch (view) {
    case 'ActiveOnly':
      return items.filter((item) => !item.isArchived);
    case 'ArchivedOnly':
      return items.filter((item) => item.isArchived);
    case 'All':
      return items;
    default:
      throw badArgument(`'listViewType' must be ActiveOnly, ArchivedOnly or All.`);
  }
}
