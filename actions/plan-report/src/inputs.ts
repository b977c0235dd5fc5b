import { InputError } from '@mlops-actions/core/errors';
import type { PlanReportOptions } from '@mlops-actions/core/github/report-plans';
import { environmentPlansSchema } from '@mlops-actions/core/github/plan-report';
import { readEnum, readInteger, readJson, readList, readString } from '@mlops-actions/core/inputs';
import { runContext } from '@mlops-actions/core/run-context';

/** Every input of plan-report, read and checked in one place before anything is sent to GitHub. */
export function readPlanReportInputs(log: (line: string) => void): PlanReportOptions {
  const kind = readEnum('kind', ['pull-request', 'drift'], { required: true });
  const context = runContext();
  const common = {
    // Masked by reportPlans before anything is printed.
    token: readString('token', { required: true }),
    repository: readString('repository', { required: true }),
    plans: readJson('plans', environmentPlansSchema, { required: true }),
    context: { commit: context.commit, runUrl: context.runUrl },
    log,
  };
  if (kind === 'drift') return { ...common, kind, labels: readList('labels') };
  const pullRequest = readInteger('pull-request', { min: 1 }) ?? context.pullRequest;
  if (pullRequest === undefined)
    throw new InputError('pull-request', 'is not set and this run is not for a pull request: pass its number.');
  return { ...common, kind, pullRequest };
}
