import * as core from '@actions/core';
// Subpath imports keep the bundle to what this action uses (the core index also carries the Azure SDK).
import { runAction } from '@mlops-actions/core/action';
import { planReportSummary, reportPlans } from '@mlops-actions/core/github/report-plans';
import { logLine } from '@mlops-actions/core/untrusted';
import { readPlanReportInputs } from './inputs.ts';

export async function run(): Promise<void> {
  await runAction(async () => {
    const result = await reportPlans(readPlanReportInputs((line) => logLine(line)));
    if (result.comment) {
      core.setOutput('operation', result.comment.operation);
      core.setOutput('comment-url', result.comment.url);
    } else {
      const issues = Object.fromEntries(
        result.issues.map(({ environment, action, number, url }) => [environment, { action, number, url }]),
      );
      core.setOutput('issues', JSON.stringify(issues));
      const drifted = result.issues.filter((issue) => ['create', 'update', 'reopen'].includes(issue.action));
      core.setOutput('drifted', drifted.map((issue) => issue.environment).join(','));
    }
    await planReportSummary(result).write();
  });
}
