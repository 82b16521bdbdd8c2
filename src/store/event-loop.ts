/** How the store's long main-thread work (reads of many series, sweeps) shares the event loop. */

/** Main-thread time a sweep's sealing pass or WAL checkpoint runs before it gives queries and ingest a turn. */
export const SWEEP_SLICE_MS = 1;

export const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Background work (a sweep's sealing pass, the WAL checkpoint) rests three times as long as its
 * slice ran: at most a quarter of a core. Sealing a window of 500k series takes the main thread
 * 1-2 s of CPU; taken flat out (or even at half a core) on a 2-core box saturated by StatsD
 * receivers, it left them short of CPU long enough to overflow their kernel buffers.
 */
const REST_PER_SLICE_MS = 3;
export const restAfterSlice = (sliceMs: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, Math.max(1, Math.ceil(sliceMs * REST_PER_SLICE_MS))));
