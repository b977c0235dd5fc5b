/**
 * Every third-party action the workflows pin, with the release its commit is and the runtime that release declares.
 * Each row was checked in the action's own repository (a snapshot of github.com/<action>): the tag names that commit,
 * and `runs.using` in its action.yml at that commit is the runtime given here. Runners force Node 24 on JavaScript
 * actions; a `node20` release would run on a runtime it was not released for, so the contract refuses it.
 * To pin a new release: find its tag's commit and the action.yml's `runs.using` there, and add a row.
 */
export interface PinnedAction {
  /** `owner/repo` (or `owner/repo/path`) as written before the `@`. */
  action: string;
  sha: string;
  version: string;
  runtime: 'node24' | 'node20' | 'composite' | 'docker';
}

export const PINNED_ACTIONS: readonly PinnedAction[] = [
  // git rev-list -n1 v7.0.1 → 3d3c42e…; `git show v7.0.1:action.yml` → runs.using: node24
  { action: 'actions/checkout', sha: '3d3c42e5aac5ba805825da76410c181273ba90b1', version: 'v7.0.1', runtime: 'node24' },
  // git rev-list -n1 v7.0.0 → 8207627…; `git show v7.0.0:action.yml` → runs.using: 'node24'
  {
    action: 'actions/setup-node',
    sha: '820762786026740c76f36085b0efc47a31fe5020',
    version: 'v7.0.0',
    runtime: 'node24',
  },
  // The releases pinned before: kept so the contract names them when a workflow still uses one.
  { action: 'actions/checkout', sha: '11bd71901bbe5b1630ceea73d27597364c9af683', version: 'v4.2.2', runtime: 'node20' },
  {
    action: 'actions/setup-node',
    sha: '49933ea5288caeca8642d1e84afbd3f7d6820020',
    version: 'v4.4.0',
    runtime: 'node20',
  },
];

/** The runtime JavaScript actions must declare. */
export const REQUIRED_RUNTIME = 'node24';
