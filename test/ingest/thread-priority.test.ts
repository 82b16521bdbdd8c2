import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readlinkSync } from 'node:fs';
import { getPriority } from 'node:os';
import { lowerThisThreadPriority } from '../../src/ingest/thread-priority.js';

// Each test file runs in its own process, so renicing this thread touches nothing else.
test('raises the nice value of the calling thread only, capped at 19', { skip: !existsSync('/proc/thread-self') }, () => {
  const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
  const before = getPriority(tid);
  assert.equal(lowerThisThreadPriority(2), true);
  assert.equal(getPriority(tid), Math.min(19, before + 2));
  assert.equal(lowerThisThreadPriority(40), true);
  assert.equal(getPriority(tid), 19);
  if (tid !== process.pid) assert.equal(getPriority(process.pid), before, 'the process main thread keeps its priority');
});
