import * as core from '@actions/core';
import { runAction } from '@mlops-actions/core/action';
import {
  buildContainer,
  formatBytes,
  gitContextFrom,
  parseKeyValues,
  readEventPayload,
  splitLines,
  type BuildContainerResult,
} from '@mlops-actions/core/container/index';
import { formatDuration } from '@mlops-actions/core/duration';
import { readBoolean, readEnum, readList, readSecret, readString } from '@mlops-actions/core/inputs';
import { code, joinMarkdown, JobSummary, escaped } from '@mlops-actions/core/summary';
import { logLine } from '@mlops-actions/core/untrusted';

export const LOGOUT_STATE = 'logout-registry';

export async function run(): Promise<void> {
  await runAction(async () => {
    const secrets = parseKeyValues(splitLines(core.getInput('secrets')), 'secrets', { secret: true });
    const push = readEnum('push', ['auto', 'true', 'false'], { default: 'auto' });
    const provenance = readEnum('provenance', ['false', 'true', 'min', 'max'], { default: 'false' });
    const result = await buildContainer({
      registry: readString('registry') ?? 'ghcr.io',
      image: readString('image', { required: true }),
      username: readString('username'),
      password: readSecret('password'),
      git: gitContextFrom(process.env, readEventPayload()),
      tagRules: splitLines(readString('tags')),
      labels: parseKeyValues(splitLines(readString('labels')), 'labels'),
      promoteFrom: readString('promote-from'),
      context: readString('context') ?? '.',
      file: readString('file'),
      target: readString('target'),
      buildArgs: parseKeyValues(splitLines(readString('build-args')), 'build-args'),
      secrets,
      platforms: readList('platforms'),
      network: readString('network'),
      cache: readEnum('cache', ['auto', 'gha', 'registry', 'inline', 'none'], { default: 'auto' }),
      provenance: provenance === 'true' ? 'min' : provenance,
      push: push === 'auto' ? 'auto' : push === 'true',
      load: readBoolean('load', false),
      pull: readBoolean('pull', false),
      noCache: readBoolean('no-cache', false),
      builder: readEnum('builder', ['auto', 'buildx', 'docker'], { default: 'auto' }),
      tempDir: process.env['RUNNER_TEMP'],
      log: (line) => (line.startsWith('warning: ') ? core.warning(line.slice(9)) : logLine(line)),
      onLogin: (registry) => core.saveState(LOGOUT_STATE, registry),
    });
    setOutputs(result);
    await summary(result).write();
  });
}

function setOutputs(result: BuildContainerResult): void {
  const labels = Object.entries(result.labels).map(([key, value]) => `${key}=${value}`);
  core.setOutput('digest', result.digest ?? '');
  core.setOutput('image', result.imageRef ?? '');
  core.setOutput('tags', result.tags.join('\n'));
  core.setOutput('labels', labels.join('\n'));
  core.setOutput('image-id', result.imageId ?? '');
  core.setOutput(
    'metadata',
    JSON.stringify({
      name: result.name,
      digest: result.digest ?? null,
      image: result.imageRef ?? null,
      tags: result.tags,
      labels: result.labels,
      pushed: result.pushed,
      size: result.size ?? null,
      sizeKind: result.sizeKind ?? null,
      platforms: result.platforms,
      builder: result.builder,
      imageId: result.imageId ?? null,
      promotedFrom: result.promotedFrom ?? null,
      durationMs: result.durationMs,
    }),
  );
  if (result.imageRef) logLine(`${result.mode === 'promote' ? 'Promoted' : 'Pushed'} ${result.imageRef}`);
}

function summary(result: BuildContainerResult): JobSummary {
  const size =
    result.size === undefined
      ? undefined
      : `${formatBytes(result.size)} (${result.sizeKind === 'registry' ? 'compressed, in the registry' : 'uncompressed, local'})`;
  const rows: [string, unknown][] = [
    ['image', result.imageRef ? code(result.imageRef) : `${result.name} (not pushed)`],
    ['digest', result.digest && code(result.digest)],
    ['tags', joinMarkdown(result.tags.map(code), '<br>')],
    ['size', size],
    ['platforms', result.platforms.join(', ')],
    [
      result.mode === 'promote' ? 'promoted from' : 'built with',
      result.promotedFrom ? code(result.promotedFrom) : result.builder,
    ],
    [result.mode === 'promote' ? 'promotion took' : 'build and push took', formatDuration(result.durationMs)],
  ];
  const title =
    result.mode === 'promote' ? 'build-container: promoted a tested digest' : 'build-container: built and pushed';
  const labels = Object.entries(result.labels).map(([key, value]) => `${key}=${value}`);
  return new JobSummary()
    .heading(escaped`${result.pushed ? title : 'build-container: built (not pushed)'}`)
    .table(['', 'value'], rows)
    .paragraph(joinMarkdown(result.notes.map((note) => escaped`- ${note}`)))
    .details('labels', labels.join('\n'));
}
