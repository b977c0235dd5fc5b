import * as core from '@actions/core';
import { actionsExec, dockerLogout } from '@mlops-actions/core/container/docker';
import { errorMessage } from '@mlops-actions/core/errors';

// The post step: log out of the registry the main step logged in to, so the credentials do not outlive the job
// on a self-hosted runner. A failure here is a warning: the build itself is already done.
const registry = core.getState('logout-registry');
if (registry) {
  try {
    await dockerLogout(actionsExec, registry);
  } catch (error) {
    core.warning(errorMessage(error));
  }
}
