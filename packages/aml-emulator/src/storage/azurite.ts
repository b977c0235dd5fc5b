/**
 * Azurite's blob service as a child process of the emulator: HTTPS on 127.0.0.1 with a certificate from the
 * emulator's CA, one storage account with a random key, OAuth `basic`. Started by `startEmulator` when
 * `blobStorage` is on and stopped by `close()`; it also exits by itself when the emulator's process goes away.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export interface AzuriteOptions {
  /** PEM files of the server certificate. */
  certFile: string;
  keyFile: string;
  account: { name: string; key: string };
  /** Folder for blobs and metadata; in memory when undefined. */
  location?: string;
  /** Azurite's own debug log (`--debug`). */
  debugLog?: string;
  startTimeoutMs?: number;
}

export interface AzuriteProcess {
  /** e.g. `https://127.0.0.1:41234` */
  url: string;
  pid: number;
  stop(): Promise<void>;
}

const CHILD = join(import.meta.dirname, 'azurite-child.js');

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

export async function startAzurite(options: AzuriteOptions): Promise<AzuriteProcess> {
  const args = [
    '--blobHost',
    '127.0.0.1',
    '--blobPort',
    '0',
    ...(options.location === undefined ? ['--inMemoryPersistence'] : ['--location', options.location]),
    '--cert',
    options.certFile,
    '--key',
    options.keyFile,
    '--oauth',
    'basic',
    '--disableTelemetry',
    '--skipApiVersionCheck',
    '--disableProductStyleUrl',
    ...(options.debugLog === undefined ? [] : ['--debug', options.debugLog]),
  ];
  const child = fork(CHILD, args, {
    execArgv: [],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: { ...process.env, AZURITE_ACCOUNTS: `${options.account.name}:${options.account.key}` },
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`Azurite did not start within ${options.startTimeoutMs ?? 30_000} ms:\n${output}`));
    }, options.startTimeoutMs ?? 30_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = /successfully listens on (https:\/\/[^\s]+)/.exec(output);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`Azurite exited before it listened (${signal ?? `exit ${String(code)}`}):\n${output}`));
    });
  });
  // Keep draining its output so a chatty Azurite never blocks on a full pipe.
  child.stdout?.resume();
  child.stderr?.resume();
  return {
    url,
    pid: child.pid ?? 0,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const done = exited(child);
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await done;
      clearTimeout(timer);
      if (child.connected) child.disconnect();
    },
  };
}
