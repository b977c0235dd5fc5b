/**
 * Runs Azurite's blob service (its own command line, `azurite/dist/src/blob/main.js`) as a child of the emulator.
 * Two additions: the telemetry SDK Azurite loads at start-up is replaced by an inert stub (no data can leave the
 * machine, and start-up is ~2 s faster), and the process exits when the emulator that forked it goes away, so a
 * crashed test run leaves no Azurite behind.
 */
import { createRequire, Module } from 'node:module';
import { dirname } from 'node:path';

const require = createRequire(import.meta.url);
const azuriteMain = require.resolve('azurite/dist/src/blob/main.js');
const telemetryPath = require.resolve('applicationinsights', {
  paths: [dirname(require.resolve('azurite/package.json'))],
});
const stub = new Module(telemetryPath);
stub.filename = telemetryPath;
stub.loaded = true;
stub.exports = {
  setup() {
    throw new Error('telemetry is disabled in aml-emulator');
  },
  start() {},
  defaultClient: undefined,
};
require.cache[telemetryPath] = stub;

process.on('disconnect', () => process.exit(0));
require(azuriteMain);
