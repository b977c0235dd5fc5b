import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as core from '@actions/core';
import { runAction } from '@mlops-actions/core/action';
import { readAzureTarget, requireEndpointName } from '@mlops-actions/core/aml/action-inputs';
import { releaseManifestFromTest, testEndpoint } from '@mlops-actions/core/aml/endpoint-test';
import { folderCases, singleCase } from '@mlops-actions/core/aml/expectations';
import { testSummary } from '@mlops-actions/core/aml/summaries';
import { InputError } from '@mlops-actions/core/errors';
import { resolveWorkspacePath } from '@mlops-actions/core/files';
import { readBoolean, readDuration, readInteger, readNumber, readString } from '@mlops-actions/core/inputs';
import { writeReleaseManifest } from '@mlops-actions/core/release-manifest';
import { runContext } from '@mlops-actions/core/run-context';
import { redact } from '@mlops-actions/core/summary';

function readImage(): { name: string; digest: string } | undefined {
  const image = readString('image');
  if (!image) return undefined;
  const match = /^(.+)@(sha256:[0-9a-f]{64})$/.exec(image);
  if (!match)
    throw new InputError(
      'image',
      `is '${image}': give it as name@sha256:<64 hex digits> (build-container's 'image' output).`,
    );
  return { name: match[1] as string, digest: match[2] as string };
}

export async function run(): Promise<void> {
  await runAction(async () => {
    const azure = readAzureTarget({ defaultTimeoutMs: 10 * 60_000 });
    const requestFile = readString('request-file');
    const casesDir = readString('cases');
    if (!requestFile === !casesDir) throw new InputError('request-file', "and 'cases': give exactly one of them.");
    const expectedFile = readString('expected-file');
    const schemaFile = readString('expected-schema');
    const cases = casesDir
      ? folderCases(resolveWorkspacePath('cases', casesDir))
      : [
          singleCase(
            resolveWorkspacePath('request-file', requestFile as string),
            expectedFile && resolveWorkspacePath('expected-file', expectedFile),
            schemaFile && resolveWorkspacePath('expected-schema', schemaFile),
          ),
        ];
    const reportPath = resolveWorkspacePath(
      'report-path',
      readString('report-path') ?? join(process.env['RUNNER_TEMP'] ?? '.', 'aml-endpoint-test-report.json'),
      {
        mustExist: false,
        root: readString('report-path') ? undefined : (process.env['RUNNER_TEMP'] ?? '.'),
      },
    );
    const manifestPath = readString('manifest-path');
    const image = readImage();
    const options = {
      endpoint: requireEndpointName(azure.target),
      deployment: readString('deployment'),
      slots: azure.slots,
      cases,
      tolerance: {
        absolute: readNumber('tolerance', { min: 0, default: 0 }) as number,
        relative: readNumber('relative-tolerance', { min: 0, default: 0 }) as number,
      },
      load: {
        requests: readInteger('load-requests', { min: 0, max: 100_000, default: 100 }),
        concurrency: readInteger('load-concurrency', { min: 1, max: 256, default: 4 }),
      },
      compareLive: readBoolean('compare-live', false),
      gates: {
        maxErrorRate: readNumber('max-error-rate', { min: 0, max: 1, default: 0 }) as number,
        maxP50Ms: readNumber('max-p50-ms', { min: 0 }),
        maxP95Ms: readNumber('max-p95-ms', { min: 0 }),
        maxP99Ms: readNumber('max-p99-ms', { min: 0 }),
        minAgreement: readNumber('min-agreement', { min: 0, max: 1 }),
        maxLatencyRatio: readNumber('max-latency-ratio', { min: 0 }),
      },
      requestTimeoutMs: readDuration('request-timeout', { default: 30_000 }) as number,
      log: (line: string) => core.info(line),
    };
    const report = await testEndpoint({ ...options, connect: () => azure.connect('aml-endpoint-test') });

    mkdirSync(dirname(reportPath), { recursive: true });
    writeFileSync(reportPath, redact(JSON.stringify(report, null, 2)) + '\n');
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
    core.setOutput('report', reportPath);
    await testSummary(report, reportPath).write();
    if (!report.passed) {
      throw new Error(
        `Deployment ${report.deployment} failed its test:\n${report.reasons.map((r) => `  - ${r}`).join('\n')}`,
      );
    }
    if (manifestPath) {
      const path = resolveWorkspacePath('manifest-path', manifestPath, { mustExist: false });
      mkdirSync(dirname(path), { recursive: true });
      writeReleaseManifest(path, releaseManifestFromTest(report, runContext(), image));
      core.setOutput('manifest', path);
      core.info(`Release manifest written to ${manifestPath}.`);
    }
    core.info(`✓ ${report.endpoint}/${report.deployment} passed ${report.casesPassed}/${report.casesTotal} cases.`);
  });
}
