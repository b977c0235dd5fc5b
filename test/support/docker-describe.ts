/**
 * Suites that need Docker decide at load time: `dockerDescribe` runs them when the engine and the registry binary
 * are there, and otherwise skips (without running the suite's body) with a printed reason — unless `REQUIRE_DOCKER=1` (set by `.ci/run`), where a
 * missing engine is a failing test instead.
 */
import { describe, test } from '@jest/globals';
import { dockerUnavailableReason, REQUIRE_DOCKER } from './docker.ts';

/**
 * `describe` for suites that need the engine and a registry. Decided when the file loads: skipped with a warning
 * that says why, or — under REQUIRE_DOCKER=1 — a suite whose one test fails with that reason.
 */
export function dockerDescribe(name: string, body: () => void): void {
  const reason = dockerUnavailableReason();
  if (reason === undefined) {
    describe(name, body);
  } else if (REQUIRE_DOCKER) {
    describe(name, () => {
      test('needs Docker (REQUIRE_DOCKER=1)', () => {
        throw new Error(`REQUIRE_DOCKER=1 but ${reason}`);
      });
    });
  } else {
    // The body is not run: its set-up may itself need Docker. One skipped test carries the reason into the report.
    process.stderr.write(`[skipped] ${name}: ${reason}. Set REQUIRE_DOCKER=1 to make this a failure.\n`);
    describe(name, () => {
      test.skip(`needs Docker: ${reason}`, () => undefined);
    });
  }
}
