/**
 * Appends, sweeps, deletes, re-created names, restarts and kill -9 in random order, every read checked
 * against an in-memory model: what was acknowledged and not deleted reads back, and nothing of a
 * deleted series comes back (test/support/engine-workload.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateWorkload, runWorkload, type WorkloadOp } from '../support/engine-workload.js';

/** Shrunk from failing seeds; each lost or resurrected points before the fix named. */
const CASES: [string, WorkloadOp[], number?][] = [
  [
    // The replayed deletion ran after the replayed late point of the series written again.
    'a series deleted and written again keeps its late point across a restart',
    [
      { op: 'write', points: [[2, 90, 2]] },
      { op: 'sweep' },
      { op: 'write', points: [[3, -1912, 3], [1, -40, 7]] },
      { op: 'delete', name: 1 },
      { op: 'write', points: [[1, -3201, 31]] },
      { op: 'reopen' },
    ],
  ],
  [
    // The sweep's sealed chunk of the deleted series was written after the deletion.
    'a delete during a sweep leaves nothing of the series, and what it gets after survives a restart',
    [
      { op: 'write', points: [[2, -85, 4]] },
      { op: 'sweep' },
      { op: 'write', points: [[1, -3243, 50]] },
      { op: 'deleteDuringSweep', name: 2 },
      { op: 'writeHeldId', points: [[2, -1649, 81]] },
      { op: 'reopen' },
    ],
  ],
  [
    'a delete during a sweep does not leave the sealed window behind',
    [
      { op: 'write', points: [[2, -2453, 2], [2, -89, 4]] },
      { op: 'reopen' },
      { op: 'deleteDuringSweep', name: 2 },
      { op: 'write', points: [[2, -30, 85]] },
      { op: 'check' },
    ],
  ],
  [
    // Decoded windows of the deleted series stayed cached under its id.
    'a series written again after a delete does not read its old cached windows',
    [
      { op: 'writeHeldId', points: [[3, -49, 12]] },
      { op: 'write', points: [[3, -3232, 16]] },
      { op: 'check' },
      { op: 'deleteGlob', pattern: 'w.c.*' },
      { op: 'write', points: [[3, -6640, 96]] },
      { op: 'check' },
    ],
  ],
  [
    // A backfill seals an old window; with a tiny hot ring it was unreadable until the next sweep.
    'a window sealed by a backfill reads back before it is written to LevelDB',
    [
      { op: 'writeHeldId', points: [[2, -3423, 36], [2, -137, 37], [2, -13638, 38]] },
      { op: 'advance', seconds: 544 },
      { op: 'write', points: [[2, -18, 44]] },
      { op: 'check' },
    ],
    1,
  ],
  [
    // The series record written after the revival was deleted again by the replayed deletion.
    'a series deleted during a sweep and written again keeps its name across two restarts',
    [
      { op: 'write', points: [[0, -53, 1]] },
      { op: 'advance', seconds: 1979 },
      { op: 'sweep' },
      { op: 'advance', seconds: 426 },
      { op: 'write', points: [[2, -1955, 91], [4, -102, 92]] },
      { op: 'deleteDuringSweep', name: 2 },
      { op: 'advance', seconds: 3693 },
      { op: 'write', points: [[4, -58, 122], [2, -103, 123]] },
      { op: 'reopen' },
      { op: 'deleteDuringSweep', name: 0 },
      { op: 'reopen' },
    ],
  ],
  [
    // The writer's held id revived the series after its points were logged: replay dropped them.
    'points through an id held across a delete survive kill -9 once the log was trimmed',
    [
      { op: 'write', points: [[2, -1336, 39]] },
      { op: 'deleteDuringSweep', name: 2 },
      { op: 'writeHeldId', points: [[2, -101, 51]] },
      { op: 'crash' },
    ],
  ],
];

for (const [name, ops, hotBudgetBytes] of CASES) {
  test(name, async () => {
    assert.equal(await runWorkload(ops, { hotBudgetBytes }), null);
  });
}

test('random workloads read back exactly what the model holds, hot ring or not', async () => {
  for (let seed = 1; seed <= 3; seed++) {
    assert.equal(await runWorkload(generateWorkload(seed, 100)), null, `seed ${seed}`);
    assert.equal(await runWorkload(generateWorkload(seed + 100, 100), { hotBudgetBytes: 1 }), null, `seed ${seed + 100}, hot ring of 1 byte`);
  }
});
