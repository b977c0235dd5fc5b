/**
 * The recorded exchanges against Azure ML (../shared/reference/recordings) replayed against the emulator: per exchange
 * the same status, LRO headers, state sequence and body shape, or the reason in KNOWN_DIFFERENCES why not.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { KNOWN_DIFFERENCES } from './replay-known.ts';
import { LINEAR_V1, startHarness } from './support/harness.ts';
import type { Harness } from './support/harness.ts';
import { readRecordings, replay } from './support/replay.ts';
import type { ExchangeResult } from './support/replay.ts';

const RECORDINGS = join(import.meta.dirname, '../../../../shared/reference/recordings');
const available = existsSync(RECORDINGS);
if (!available && process.env['REQUIRE_REFERENCE'] === '1') throw new Error(`no recordings at ${RECORDINGS}`);
if (!available) process.stdout.write(`[skipped] recordings replay: no ${RECORDINGS}\n`);

const WORKSPACE = { resourceGroup: '00000', workspace: '00000' };
const results: ExchangeResult[] = [];
const harnesses: Harness[] = [];

afterAll(async () => {
  for (const h of harnesses) await h.close();
});

/** What the recorded workspace held before each session started (the sessions' earlier steps, not recorded). */
async function seed(h: Harness, file: string): Promise<void> {
  if (!file.startsWith('test_online_deployment')) return;
  await h.emulator.models.register(WORKSPACE, '1498425f064ef007b4f000a85a5f4645', '1', LINEAR_V1);
  const code = `${h.workspacePath}/codes/1451f8f8-6790-4c6e-af11-94f58e744f69/versions/1`;
  const put = await h.arm('PUT', code, {
    body: {
      properties: {
        properties: {
          hash_sha256: '1158c9b05491a5c4d7b81ef17fb09103af08d4833a678adb47be9bd501dde88c',
          hash_version: '202208',
        },
        codeUri: 'https://account.blob.core.windows.net/container/onlinescoring',
      },
    },
  });
  if (put.status >= 300) throw new Error(`seeding the code version: ${put.status} ${JSON.stringify(put.body)}`);
}

(available ? describe : describe.skip)('recorded Azure ML sessions replayed against the emulator', () => {
  const recordings = available ? readRecordings(RECORDINGS) : [];
  for (const { file, entries } of recordings) {
    it(`replays ${file}`, async () => {
      const h = await startHarness({ workspaces: [WORKSPACE], provisioningMs: 400, recordBodies: false });
      harnesses.push(h);
      await seed(h, file);
      results.push(...(await replay(h, file, entries)));
    }, 120_000);
  }

  it('matches every exchange but the known differences, each with its reason', () => {
    const reasonOf = (r: ExchangeResult) =>
      KNOWN_DIFFERENCES.find((k) => k.file === r.file && k.entries.includes(r.entry))?.reason ?? 'NO REASON';
    const verdict = (r: ExchangeResult) =>
      r.skipped !== undefined
        ? `not sent: ${r.skipped}`
        : r.differs.length === 0
          ? 'matched'
          : `differs (${r.differs.join(', ')}): ${reasonOf(r)}\n      ${r.details.slice(0, 6).join('\n      ')}`;
    const sent = results.filter((r) => r.skipped === undefined);
    const matched = sent.filter((r) => r.differs.length === 0);
    // A run of polls of one operation is one exchange repeated: counted once as well, so 94 polls do not dominate.
    const distinct = (list: ExchangeResult[]) =>
      new Set(list.map((r) => `${r.file} ${r.what.replace(/ \(poll .*\)$/, '')}`)).size;
    // Written out rather than console.log'd: jest would add a code frame to each line of the table.
    process.stdout.write(
      [
        `recordings replay: ${matched.length} of ${sent.length} exchanges matched ` +
          `(${distinct(matched)} of ${distinct(sent)} counting a run of polls once; ${results.length - sent.length} outside the emulated API not sent)`,
        ...results.map((r) => `${r.file.replace(/\.json$/, '')} #${r.entry} ${r.what} — ${verdict(r)}`),
      ].join('\n') + '\n',
    );
    const byEntry = (a: { file: string; entry: number }, b: { file: string; entry: number }) =>
      a.file.localeCompare(b.file) || a.entry - b.entry;
    const actual = sent
      .filter((r) => r.differs.length > 0)
      .map((r) => ({ file: r.file, entry: r.entry, differs: r.differs }))
      .sort(byEntry);
    const expected = KNOWN_DIFFERENCES.flatMap((k) =>
      k.entries.map((entry) => ({ file: k.file, entry, differs: k.differs })),
    ).sort(byEntry);
    // A difference that went away, or a new one, fails: the table must say exactly what still differs, and why.
    expect(actual).toEqual(expected);
  });
});
