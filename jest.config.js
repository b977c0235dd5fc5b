/** Jest in ESM mode (the @actions/* packages are ESM-only); TypeScript through ts-jest. */
export default {
  testEnvironment: 'node',
  // End-to-end tests run bundled actions as child processes against local servers.
  testTimeout: 60_000,
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': [
      'ts-jest',
      {
        useESM: true,
        tsconfig: { rewriteRelativeImportExtensions: false, allowImportingTsExtensions: true, noEmit: false },
      },
    ],
  },
  // Runner commands printed by in-process tests (::add-mask::) are dropped from the terminal.
  setupFiles: ['<rootDir>/test/support/quiet-runner-commands.ts'],
  testMatch: ['<rootDir>/packages/*/test/**/*.test.ts', '<rootDir>/test/**/*.test.ts'],
  collectCoverageFrom: ['packages/*/src/**/*.ts'],
  coverageReporters: ['text-summary', 'json-summary'],
};
