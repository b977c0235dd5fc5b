import * as core from '@actions/core';
// Subpath imports keep the bundle to what this action uses (the core index also carries the Azure SDK).
import { runAction } from '@mlops-actions/core/action';
import {
  openPromotionPullRequest,
  promotionSummary,
  verificationError,
  verificationSummary,
  verifyPromotionBeforeDeploy,
} from '@mlops-actions/core/github/index';
import { logLine } from '@mlops-actions/core/untrusted';
import { readInputs } from './inputs.ts';

export async function run(): Promise<void> {
  await runAction(async () => {
    const inputs = readInputs();
    if (inputs.mode === 'verify') {
      const result = await verifyPromotionBeforeDeploy(inputs.options);
      for (const finding of result.findings) logLine(`${finding.ok ? '✓' : '✗'} ${finding.check}: ${finding.detail}`);
      core.setOutput('verified', String(result.ok));
      core.setOutput('number', result.pull ? String(result.pull.number) : '');
      core.setOutput('url', result.pull?.url ?? '');
      core.setOutput('manifest', result.manifest ? JSON.stringify(result.manifest) : '');
      await verificationSummary(result).write();
      if (!result.ok) throw verificationError(result);
      return;
    }
    const result = await openPromotionPullRequest({ ...inputs.options, log: (line) => logLine(line) });
    core.setOutput('number', result.number === undefined ? '' : String(result.number));
    core.setOutput('url', result.url ?? '');
    core.setOutput('operation', result.operation);
    core.setOutput('manifest-commit', result.manifestCommit ?? '');
    core.setOutput('head-sha', result.headSha ?? '');
    core.setOutput('token-kind', result.token.kind);
    core.setOutput('manifest', JSON.stringify(result.manifest));
    await promotionSummary(result).write();
  });
}
