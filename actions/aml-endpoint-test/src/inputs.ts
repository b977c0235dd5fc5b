import { join } from 'node:path';
import * as core from '@actions/core';
import { readAzureTarget, requireEndpointName } from '@mlops-actions/core/aml/action-inputs';
import type { EndpointTestOptions } from '@mlops-actions/core/aml/endpoint-test';
import { folderCases, singleCase, type TestCase } from '@mlops-actions/core/aml/expectations';
import { InputError } from '@mlops-actions/core/errors';
import { resolveWorkspacePath, workspaceRoot } from '@mlops-actions/core/files';
import { readBoolean, readDuration, readInteger, readNumber, readString } from '@mlops-actions/core/inputs';
import { runContext } from '@mlops-actions/core/run-context';
import { logLine } from '@mlops-actions/core/untrusted';

/** Every input of aml-endpoint-test, read and checked in one place before anything is sent to Azure. */
export interface TestInputs {
  test: EndpointTestOptions;
  /** Where the JSON report goes (the runner's temp folder unless `report-path` is given). */
  reportPath: string;
  /** Where the release manifest goes, when one is asked for. */
  manifestPath: string | undefined;
  image: { name: string; digest: string } | undefined;
}

export function readTestInputs(): TestInputs {
  const azure = readAzureTarget({ defaultTimeoutMs: 10 * 60_000 });
  const cases = readCases();
  const reportPath = readReportPath();
  const manifestInput = readString('manifest-path');
  const image = readImage();
  return {
    test: {
      endpoint: requireEndpointName(azure.target),
      deployment: readString('deployment'),
      slots: azure.slots,
      cases,
      tolerance: {
        absolute: readNumber('tolerance', { min: 0, default: 0 }),
        relative: readNumber('relative-tolerance', { min: 0, default: 0 }),
      },
      load: {
        requests: readInteger('load-requests', { min: 0, max: 100_000, default: 100 }),
        concurrency: readInteger('load-concurrency', { min: 1, max: 256 }),
      },
      compareLive: readBoolean('compare-live', false),
      gates: {
        maxErrorRate: readNumber('max-error-rate', { min: 0, max: 1, default: 0 }),
        maxP50Ms: readNumber('max-p50-ms', { min: 0 }),
        maxP95Ms: readNumber('max-p95-ms', { min: 0 }),
        maxP99Ms: readNumber('max-p99-ms', { min: 0 }),
        minAgreement: readNumber('min-agreement', { min: 0, max: 1 }),
        maxLatencyRatio: readNumber('max-latency-ratio', { min: 0 }),
      },
      allowUnevaluatedGates: readBoolean('allow-unevaluated-gates', false),
      requestTimeoutMs: readDuration('request-timeout', { default: 30_000 }),
      operation: azure.operation,
      run: runContext().runUrl,
      log: (line: string) => logLine(line),
      warn: (line: string) => core.warning(line),
      connect: () => azure.connect('aml-endpoint-test'),
    },
    reportPath,
    manifestPath: manifestInput && resolveWorkspacePath('manifest-path', manifestInput, { mustExist: false }),
    image,
  };
}

/** Exactly one of `request-file` (with optional expectations) or a `cases` folder. */
function readCases(): TestCase[] {
  const requestFile = readString('request-file');
  const casesDir = readString('cases');
  if (casesDir !== undefined) {
    if (requestFile !== undefined) throw new InputError('request-file', "and 'cases': give exactly one of them.");
    return folderCases(resolveWorkspacePath('cases', casesDir), workspaceRoot());
  }
  if (requestFile === undefined) throw new InputError('request-file', "and 'cases': give exactly one of them.");
  const expectedFile = readString('expected-file');
  const schemaFile = readString('expected-schema');
  return [
    singleCase(
      resolveWorkspacePath('request-file', requestFile),
      expectedFile && resolveWorkspacePath('expected-file', expectedFile),
      schemaFile && resolveWorkspacePath('expected-schema', schemaFile),
    ),
  ];
}

function readReportPath(): string {
  const given = readString('report-path');
  const runnerTemp = process.env['RUNNER_TEMP'] ?? '.';
  return given
    ? resolveWorkspacePath('report-path', given, { mustExist: false })
    : resolveWorkspacePath('report-path', join(runnerTemp, 'aml-endpoint-test-report.json'), {
        mustExist: false,
        root: runnerTemp,
      });
}

function readImage(): { name: string; digest: string } | undefined {
  const image = readString('image');
  if (!image) return undefined;
  const match = /^(?<name>.+)@(?<digest>sha256:[0-9a-f]{64})$/.exec(image);
  if (!match?.groups?.['name'] || !match.groups['digest'])
    throw new InputError(
      'image',
      `is '${image}': give it as name@sha256:<64 hex digits> (build-container's 'image' output).`,
    );
  return { name: match.groups['name'], digest: match.groups['digest'] };
}
