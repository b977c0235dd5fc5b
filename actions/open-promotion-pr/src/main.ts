import * as core from '@actions/core';
// Subpath imports keep the bundle to what this action uses (the core index also carries the Azure SDK).
import { runAction } from '@mlops-actions/core/action';
import { openPromotionPullRequest, promotionSummary } from '@mlops-actions/core/github/index';
import { readBoolean, readEnum, readList, readSecret, readString } from '@mlops-actions/core/inputs';

export async function run(): Promise<void> {
  await runAction(async () => {
    const result = await openPromotionPullRequest({
      // Masked by openPromotionPullRequest before anything is printed.
      token: readString('token', { required: true }),
      jobToken: readSecret('job-token'),
      repository: readString('repository', { required: true }),
      head: readString('head') ?? 'integration',
      base: readString('base') ?? 'main',
      manifest: {
        manifest: readString('manifest'),
        model: readString('model'),
        modelVersion: readString('model-version'),
        modelId: readString('model-id'),
        deployment: readString('deployment'),
        testReport: readString('test-report'),
        image: readString('image'),
        commit: readString('commit'),
      },
      manifestPath: readString('manifest-path'),
      commitMessage: readString('commit-message'),
      title: readString('title'),
      body: readString('body'),
      labels: readList('labels'),
      removeLabels: readList('remove-labels'),
      reviewers: readList('reviewers'),
      teamReviewers: readList('team-reviewers'),
      assignees: readList('assignees'),
      draft: readBoolean('draft', false),
      autoMerge: readBoolean('auto-merge', false)
        ? readEnum('merge-method', ['merge', 'squash', 'rebase'] as const, { default: 'merge' })
        : undefined,
      log: (line) => core.info(line),
    });
    core.setOutput('number', result.number === undefined ? '' : String(result.number));
    core.setOutput('url', result.url ?? '');
    core.setOutput('operation', result.operation);
    core.setOutput('manifest-commit', result.manifestCommit ?? '');
    core.setOutput('head-sha', result.headSha);
    core.setOutput('token-kind', result.token.kind);
    core.setOutput('manifest', JSON.stringify(result.manifest));
    await promotionSummary(result).write();
  });
}
