/** Fault injection: HTTP rules, operation outcomes and model behaviour, kept outside the persisted state. */
import { randomUUID } from 'node:crypto';
import type {
  ConsistencyFault,
  HttpFaultRule,
  ModelFault,
  OperationFault,
  OperationFaultTarget,
  WorkspaceRef,
} from './types.ts';

interface ActiveHttpRule {
  id: string;
  rule: HttpFaultRule;
  remaining: number;
}

export interface RequestFacts {
  method: string;
  path: string;
  kind: string;
}

/** `*` matches within a path segment, `**` across segments. */
function globToRegExp(glob: string): RegExp {
  let source = '';
  for (let index = 0; index < glob.length; index++) {
    const char = glob[index] ?? '';
    if (char === '*' && glob[index + 1] === '*') {
      source += '.*';
      index++;
    } else if (char === '*') {
      source += '[^/]*';
    } else {
      source += char.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${source}$`, 'i');
}

function ruleMatches(rule: HttpFaultRule, request: RequestFacts): boolean {
  if (rule.method !== undefined && rule.method.toUpperCase() !== request.method) return false;
  if (rule.kind !== undefined && rule.kind !== request.kind) return false;
  if (rule.path === undefined) return true;
  const pattern = typeof rule.path === 'string' ? globToRegExp(rule.path) : rule.path;
  return pattern.test(request.path);
}

export function targetKey(workspace: WorkspaceRef, endpoint: string, deployment?: string): string {
  return [workspace.resourceGroup.toLowerCase(), workspace.workspace.toLowerCase(), endpoint, deployment ?? ''].join(
    '/',
  );
}

export function modelKey(workspace: WorkspaceRef, name: string, version: string): string {
  return [workspace.resourceGroup.toLowerCase(), workspace.workspace.toLowerCase(), name, version].join('/');
}

export class FaultRegistry {
  private httpRules: ActiveHttpRule[] = [];
  private readonly operationFaults = new Map<string, OperationFault>();
  private readonly modelFaults = new Map<string, ModelFault>();
  private readonly consistencyFaults = new Map<string, ConsistencyFault>();

  addHttpRule(rule: HttpFaultRule): string {
    const id = randomUUID();
    this.httpRules.push({ id, rule, remaining: rule.times ?? 1 });
    return id;
  }

  /** Finds the first rule for this request and uses up one of its turns. */
  takeHttpRule(request: RequestFacts): HttpFaultRule | undefined {
    const active = this.httpRules.find((candidate) => candidate.remaining > 0 && ruleMatches(candidate.rule, request));
    if (active === undefined) return undefined;
    active.remaining--;
    this.httpRules = this.httpRules.filter((candidate) => candidate.remaining > 0);
    return active.rule;
  }

  setOperationFault(workspace: WorkspaceRef, target: OperationFaultTarget, fault: OperationFault): void {
    this.operationFaults.set(targetKey(workspace, target.endpoint, target.deployment), fault);
  }

  takeOperationFault(key: string): OperationFault | undefined {
    const fault = this.operationFaults.get(key);
    this.operationFaults.delete(key);
    return fault;
  }

  setConsistencyFault(workspace: WorkspaceRef, endpoint: string, fault: ConsistencyFault): void {
    this.consistencyFaults.set(targetKey(workspace, endpoint), fault);
  }

  takeConsistencyFault(key: string): ConsistencyFault | undefined {
    const fault = this.consistencyFaults.get(key);
    this.consistencyFaults.delete(key);
    return fault;
  }

  setModelFault(key: string, fault: ModelFault): void {
    this.modelFaults.set(key, fault);
  }

  modelFault(key: string): ModelFault {
    return this.modelFaults.get(key) ?? {};
  }

  clear(): void {
    this.httpRules = [];
    this.operationFaults.clear();
    this.modelFaults.clear();
    this.consistencyFaults.clear();
  }
}
