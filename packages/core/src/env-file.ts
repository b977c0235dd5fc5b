import { readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { UserError } from './errors.ts';

/** The keys of the workshop's `.env.staging` / `.env.prod` files. */
export const ENV_FILE_KEYS = ['group', 'workspace', 'location', 'compute', 'endpoint', 'model'] as const;
export type EnvFileKey = (typeof ENV_FILE_KEYS)[number];
export type EnvFileValues = Partial<Record<EnvFileKey, string>>;

export interface EnvFile {
  path: string;
  values: EnvFileValues;
  /** Keys the file sets that we do not use; reported as a warning, since other steps may read them. */
  ignoredKeys: string[];
}

export function parseEnvFile(text: string, path: string): EnvFile {
  let parsed: Record<string, string>;
  try {
    parsed = parseEnv(text) as Record<string, string>;
  } catch (error) {
    throw new UserError(`${path} is not a .env file (${(error as Error).message}): write one KEY=value per line.`, {
      file: path,
    });
  }
  const values: EnvFileValues = {};
  const ignoredKeys: string[] = [];
  for (const [key, value] of Object.entries(parsed)) {
    if ((ENV_FILE_KEYS as readonly string[]).includes(key)) {
      if (value.trim() !== '') values[key as EnvFileKey] = value.trim();
    } else {
      ignoredKeys.push(key);
    }
  }
  return { path, values, ignoredKeys };
}

export function readEnvFile(path: string): EnvFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : 'cannot be read';
    throw new UserError(
      `env-file ${path} ${reason}: give the path from the repository root, e.g. 'env/.env.staging', and check out the repository first.`,
      { file: path },
    );
  }
  return parseEnvFile(text, path);
}

/** Where the actions work: explicit inputs win over the env file. */
export interface Target {
  resourceGroup: string;
  workspace: string;
  endpoint: string | undefined;
  model: string | undefined;
  location: string | undefined;
}

export interface TargetInputs {
  resourceGroup?: string | undefined;
  workspace?: string | undefined;
  endpoint?: string | undefined;
  model?: string | undefined;
}

export function resolveTarget(inputs: TargetInputs, envFile?: EnvFile): Target {
  const file = envFile?.values ?? {};
  const resourceGroup = inputs.resourceGroup ?? file.group;
  const workspace = inputs.workspace ?? file.workspace;
  const missing = [
    resourceGroup ? undefined : `'resource-group' (or 'group' in the env file)`,
    workspace ? undefined : `'workspace' (or 'workspace' in the env file)`,
  ].filter(Boolean);
  if (missing.length > 0) {
    const source = envFile ? `neither the inputs nor ${envFile.path}` : "the inputs (and no 'env-file' was given)";
    throw new UserError(`The Azure ML workspace is not known: ${source} set ${missing.join(' and ')}.`);
  }
  return {
    resourceGroup: resourceGroup as string,
    workspace: workspace as string,
    endpoint: inputs.endpoint ?? file.endpoint,
    model: inputs.model ?? file.model,
    location: file.location,
  };
}
