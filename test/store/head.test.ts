import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Head, POINTS_PER_CHUNK } from '../../src/store/head.js';

/** A whole window's slots as read back through slots(). */
function windowOf(head: Head, id: number, parity: number): number[] {
  const { values, offset } = head.slots(id, parity);
  return Array.from(values.subarray(offset, offset + POINTS_PER_CHUNK));
}

test('slots written in any order, overwritten and spread over block sizes read back as one window', () => {
  let seed = 7;
  const random = (): number => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  const head = new Head();
  const expected = new Map<number, number[]>();
  for (let round = 0; round < 20_000; round++) {
    const id = Math.floor(random() * 300);
    // Mostly in order from a random first slot, sometimes anywhere (late or repeated points).
    const slots = expected.get(id);
    const last = slots ? slots.findLastIndex((v) => v === v) : Math.floor(random() * POINTS_PER_CHUNK);
    const slot = random() < 0.8 ? Math.min(POINTS_PER_CHUNK - 1, last + 1) : Math.floor(random() * POINTS_PER_CHUNK);
    const value = Math.floor(random() * 1000);
    assert.equal(head.write(id, 1200, 1, slot, value), true);
    const window = slots ?? new Array<number>(POINTS_PER_CHUNK).fill(NaN);
    window[slot] = value;
    expected.set(id, window);
  }
  for (const [id, window] of expected) {
    assert.deepEqual(windowOf(head, id, 1), window, `series ${id}`);
    // The block as held covers every written slot.
    const { values, offset, firstSlot, slots } = head.block(id, 1);
    const held = new Array<number>(POINTS_PER_CHUNK).fill(NaN);
    for (let j = 0; j < slots; j++) held[firstSlot + j] = values[offset + j];
    assert.deepEqual(held, window, `block of series ${id}`);
  }
  assert.equal(head.openWindows, expected.size);
});

test('a parity holding another window refuses the write; release frees it for the next window', () => {
  const head = new Head();
  assert.equal(head.write(5, 0, 0, 3, 1), true);
  assert.equal(head.write(5, 2400, 0, 3, 2), false);
  assert.equal(head.windowAt(5, 0), 0);
  assert.equal(head.windowAt(5, 1), -1);
  assert.equal(head.windowAt(1_000_000, 0), -1);
  head.release(5, 0);
  head.release(1_000_000, 0);
  assert.equal(head.openWindows, 0);
  assert.equal(head.write(5, 2400, 0, 119, 2), true);
  const window = windowOf(head, 5, 0);
  assert.equal(window[119], 2);
  assert.equal(window.filter((v) => v === v).length, 1, 'a reused block starts empty');
});

test('a window with few points holds a small block, not a whole window of slots', () => {
  const head = new Head();
  for (let id = 0; id < 10_000; id++) for (let slot = 50; slot < 53; slot++) head.write(id, 0, 0, slot, slot);
  assert.ok(head.bytes < 10_000 * 100, `head holds ${head.bytes} bytes for 10k windows of 3 points`);
  assert.deepEqual(windowOf(head, 9_999, 0).slice(49, 54), [NaN, 50, 51, 52, NaN]);
});

test('windows half into their small block are counted as growing, and blocks reserved for them are the ones they grow into', () => {
  const head = new Head();
  const series = 3000;
  // Half the series have 4 of their small block's 8 slots written, the others 3: only the first half counts.
  for (let id = 0; id < series; id++) for (let slot = 0; slot < (id % 2 === 0 ? 4 : 3); slot++) head.write(id, 0, 0, slot, id + slot);
  assert.equal(head.countGrowing(0, head.idCapacity), series / 2);
  assert.equal(head.countGrowing(0, 1000), 500, 'counted within the id range only');
  let slabs = 0;
  while (head.reserveWholeBlocks(series / 2)) slabs++;
  assert.ok(slabs >= 2, `${slabs} slabs of 1,024 whole-window blocks for 1,500 windows`);
  assert.equal(head.reserveWholeBlocks(series / 2), false, 'nothing more once enough are spare');
  const reserved = head.bytes;
  // The growing windows reach their ninth slot: they move into reserved blocks, no new slab.
  for (let id = 0; id < series; id += 2) for (let slot = 4; slot < 9; slot++) head.write(id, 0, 0, slot, id + slot);
  assert.equal(head.bytes, reserved);
  assert.deepEqual(windowOf(head, 2998, 0).slice(0, 10), [2998, 2999, 3000, 3001, 3002, 3003, 3004, 3005, 3006, NaN]);
  assert.deepEqual(windowOf(head, 2999, 0).slice(0, 4), [2999, 3000, 3001, NaN]);
});
