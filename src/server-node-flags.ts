/**
 * The Node flags Carbonado's process runs with. `npm start` (package.json) passes them, and benches
 * that start the server as a child pass these, so they measure what users run
 * (test/server-node-flags.test.ts checks the two agree). The `carbonado` bin does not: a shebang
 * with arguments needs `env -S`, which BusyBox (Alpine images) and older coreutils lack, and the
 * bin must start everywhere; it runs with V8's defaults, only with more GC work in bursts.
 *
 * `--initial-old-space-size=64`: the main thread's JavaScript heap stays small (10-20 MB live)
 * while a burst of new series grows its typed arrays, so V8 kept its old-generation limit just
 * above that and mark-compacted every 50-100 ms: about 22 full collections in the 1M-series carbon
 * bench, and 190-240 ns per point on V8's helper threads; with 64 MiB, 133-143. The flag applies
 * to every thread's heap: at 128 MiB the process took 300-500 MiB more RSS in a 10-step StatsD
 * soak at 2M lines/s over 100k names, which lost 0.7-1.2% in 2 steps of 10 (twice), where 64 MiB, like
 * no flag, kept every step under 0.25%. It is a starting size, not a cap.
 */
export const SERVER_NODE_FLAGS: readonly string[] = ['--initial-old-space-size=64'];
