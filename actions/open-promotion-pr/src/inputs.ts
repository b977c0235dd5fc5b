import { readBoolean, readEnum, readInteger, readList, readSecret, readString } from '@mlops-actions/core/inputs';
import type { PromotionOptions, VerifyOptions } from '@mlops-actions/core/github/index';

export type PromotionInputs =
  { mode: 'open'; options: Omit<PromotionOptions, 'log'> } | { mode: 'verify'; options: VerifyOptions };

/** The action's inputs, read and checked in one place. */
export function readInputs(): PromotionInputs {
  const mode = readEnum('mode', ['open', 'verify'] as const, { default: 'open' });
  // Masked by openPromotionPullRequest / verifyPromotionBeforeDeploy before anything is printed.
  const token = readString('token', { required: true });
  const repository = readString('repository', { required: true });
  const head = readString('head', { default: 'integration' });
  const base = readString('base', { default: 'main' });
  if (mode === 'verify') {
    return {
      mode,
      options: {
        token,
        repository,
        head,
        base,
        commit: readString('commit', { required: true }),
        manifestPath: readString('manifest-path', { required: true }),
        stagingWorkflow: readString('staging-workflow', { default: '.github/workflows/cd-staging.yml' }),
        stagingCheck: readString('staging-check', { default: 'staging' }),
        requiredApprovals: readInteger('required-approvals', { min: 1, max: 10, default: 1 }),
      },
    };
  }
  return {
    mode,
    options: {
      token,
      jobToken: readSecret('job-token'),
      repository,
      head,
      base,
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
    },
  };
}
