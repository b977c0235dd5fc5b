/** `aml-emulator --port 0 [--state FILE] [--provisioning-ms N | --timing realistic [--time-scale F]]`: prints one JSON line, serves until SIGINT/SIGTERM. */
import { parseArgs } from 'node:util';
import { startEmulator } from './emulator.ts';
import type { EmulatorOptions } from './types.ts';

const USAGE = `Usage: aml-emulator [--port N] [--state FILE] [--provisioning-ms N | --timing realistic [--time-scale F]]
                    [--retry-after SECONDS] [--data-dir DIR] [--blob-storage [--datastore-auth key|identity]]
                    [--endpoint-rps N]

Serves an emulated Azure ML control plane, Entra token endpoint and scoring plane on https://127.0.0.1:PORT/
and prints one JSON line with everything a client needs (armEndpoint, authorityHost, credentials, caFile, ...).
--blob-storage also starts Azurite behind the workspaces' default datastore (blobServiceUrl in the line).
--endpoint-rps sets the scoring requests an endpoint takes per second before it answers 429 (default 500, 0: no limit).
--timing realistic makes each long operation last what it took against Azure (a deployment 9 min), times --time-scale.`;

function integer(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0)
    throw new Error(`${flag} must be a non-negative integer, got '${value}'`);
  return parsed;
}

export function parseOptions(argv: string[]): EmulatorOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      state: { type: 'string' },
      'provisioning-ms': { type: 'string' },
      timing: { type: 'string' },
      'time-scale': { type: 'string' },
      'retry-after': { type: 'string' },
      'data-dir': { type: 'string' },
      'blob-storage': { type: 'boolean' },
      'datastore-auth': { type: 'string' },
      'endpoint-rps': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help === true) return 'help';
  const options: EmulatorOptions = {};
  const port = integer(values.port, '--port');
  const provisioningMs = integer(values['provisioning-ms'], '--provisioning-ms');
  const retryAfterSeconds = integer(values['retry-after'], '--retry-after');
  if (port !== undefined) options.port = port;
  if (provisioningMs !== undefined) options.provisioningMs = provisioningMs;
  if (retryAfterSeconds !== undefined) options.retryAfterSeconds = retryAfterSeconds;
  const endpointRps = integer(values['endpoint-rps'], '--endpoint-rps');
  if (endpointRps !== undefined) options.endpointRequestsPerSecond = endpointRps;
  if (values.timing !== undefined && values.timing !== 'uniform' && values.timing !== 'realistic')
    throw new Error(`--timing must be uniform or realistic, got '${values.timing}'`);
  if (values.timing !== undefined) options.timing = values.timing;
  if (values['time-scale'] !== undefined) {
    const timeScale = Number(values['time-scale']);
    if (!(timeScale > 0)) throw new Error(`--time-scale must be a positive number, got '${values['time-scale']}'`);
    options.timeScale = timeScale;
  }
  if (values.state !== undefined) options.stateFile = values.state;
  if (values['data-dir'] !== undefined) options.dataDir = values['data-dir'];
  const datastoreAuth = values['datastore-auth'];
  if (datastoreAuth !== undefined && datastoreAuth !== 'key' && datastoreAuth !== 'identity')
    throw new Error(`--datastore-auth must be key or identity, got '${datastoreAuth}'`);
  if (datastoreAuth !== undefined && values['blob-storage'] !== true)
    throw new Error('--datastore-auth needs --blob-storage');
  if (values['blob-storage'] === true) options.blobStorage = datastoreAuth === undefined ? true : { datastoreAuth };
  return options;
}

async function main(): Promise<void> {
  let options: EmulatorOptions | 'help';
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    console.error(`aml-emulator: ${(error as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (options === 'help') {
    console.log(USAGE);
    return;
  }
  const emulator = await startEmulator(options);
  const { urls, credentials, caFile } = emulator;
  console.log(
    JSON.stringify({
      armEndpoint: urls.arm,
      authorityHost: urls.authorityHost,
      ...credentials,
      caFile,
      controlUrl: urls.control,
      oidcIssuer: urls.oidcIssuer,
      ...(urls.blob === undefined ? {} : { blobServiceUrl: urls.blob }),
    }),
  );
  const stop = (): void => {
    emulator.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('aml-emulator: error while closing', error);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

await main();
