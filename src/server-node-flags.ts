/**
 * The Node flags Carbonado's process runs with. `npm start` (package.json) passes them, and benches
 * that start the server as a child pass these, so they measure what users run
 * (test/server-node-flags.test.ts checks the two agree). The `carbonado` bin does not: a shebang
 * with arguments needs `env -S`, which BusyBox (Alpine images) and older coreutils lack, and the
 * bin must start everywhere; it runs with V8's defaults, only with more GC work in bursts.
 *
 * `--initial-old-space-size=128`: the main thread's JavaScript heap stays small (10-20 MB live)
 * while a burst of new series grows its typed arrays, so V8 kept its old-generation limit just
 * above that and mark-compacted every 50-100 ms: about 22 full collections in the 1M-series carbon
 * bench, and 190-240 ns per point on V8's helper threads. Starting the old generation at 128 MiB
 * took helper CPU to 133-147 ns per point, for 40-60 MiB more resident memory. It is a starting
 * size, not a cap: the heap still grows and shrinks as it needs.
 */
export const SERVER_NODE_FLAGS: readonly string[] = ['--initial-old-space-size=128'];
