#!/usr/bin/env node
// Node 24 runs the TypeScript sources directly (type stripping); older versions cannot.
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  console.error(`aml-emulator needs Node >= 22.18 (type stripping); this is Node ${process.versions.node}.`);
  process.exit(1);
}
await import('../src/cli.ts');
