import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import * as core from '@actions/core';
import { runAction } from '@mlops-actions/core/action';
import { releaseManifestFromTest, testEndpoint } from '@mlops-actions/core/aml/endpoint-test';
import { testSummary } from '@mlops-actions/core/aml/summaries';
import { writeReleaseManifest } from '@mlops-actions/core/release-manifest';
import { runContext } from '@mlops-actions/core/run-context';
import { redact } from '@mlops-actions/core/summary';
import { logLine } from '@mlops-actions/core/untrusted';
import { readTestInputs } from './inputs.ts';

export async function run(): Promise<void> {
  await runAction(async () => {
    const inputs = readTestInputs();
    const report = await testEndpoint(inputs.test);

    mkdirSync(dirname(inputs.reportPath), { recursive: true });
    writeFileSync(inputs.reportPath, redact(JSON.stringify(report, null, 2)) + '\n');
    core.setOutput('passed', String(report.passed));
    core.setOutput('deployment', report.deployment);
    core.setOutput('cases-passed', String(report.casesPassed));
    core.setOutput('cases-total', String(report.casesTotal));
    core.setOutput('p50-ms', String(report.load?.p50Ms ?? ''));
    core.setOutput('p95-ms', String(report.load?.p95Ms ?? ''));
    core.setOutput('p99-ms', String(report.load?.p99Ms ?? ''));
    core.setOutput('error-rate', String(report.load?.errorRate ?? ''));
    core.setOutput('agreement', String(report.comparison?.agreement ?? ''));
    core.setOutput('latency-ratio', String(report.comparison?.latencyRatio ?? ''));
    core.setOutput('report', inputs.reportPath);
    core.setOutput('test-record', JSON.stringify(report.tested));
    core.setOutput('spec-hash', report.tested.specHash);
    await testSummary(report, inputs.reportPath).write();
    if (!report.passed) {
      throw new Error(
        `Deployment ${report.deployment} failed its test:\n${report.reasons.map((r) => `  - ${r}`).join('\n')}`,
      );
    }
    if (inputs.manifestPath) {
      mkdirSync(dirname(inputs.manifestPath), { recursive: true });
      writeReleaseManifest(inputs.manifestPath, releaseManifestFromTest(report, runContext(), inputs.image));
      core.setOutput('manifest', inputs.manifestPath);
      logLine(`Release manifest written to ${inputs.manifestPath}.`);
    }
    logLine(`✓ ${report.endpoint}/${report.deployment} passed ${report.casesPassed}/${report.casesTotal} cases.`);
  });
}
