/**
 * Helpers shared by the benchmarks that run servers as child processes: process CPU and RSS from
 * /proc, per-socket UDP drops, free-port picking, and child processes that are always killed on exit.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` every `everyMs` until it is true or `timeoutMs` passed; returns the last answer. */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 100): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(everyMs);
  }
}

// ---- /proc readers -------------------------------------------------------------------------

/** Kernel clock ticks per second for /proc/<pid>/stat (USER_HZ, 100 on Linux x86_64 and arm64). */
const CLOCK_TICKS = 100;

/** User + system CPU seconds of a process, all threads included; NaN once it is gone. */
export function processCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which may contain spaces: state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}

/** CPU seconds of a process and its live descendants (a server that forks helpers is counted whole). */
export function processTreeCpuSeconds(rootPid: number): number {
  let total = 0;
  const pending = [rootPid];
  const seen = new Set<number>();
  while (pending.length > 0 && seen.size < 1000) {
    const pid = pending.pop()!;
    if (seen.has(pid)) continue;
    seen.add(pid);
    total += processCpuSeconds(pid) || 0;
    try {
      for (const task of readdirSync(`/proc/${pid}/task`)) {
        const kids = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
        if (kids !== '') for (const kid of kids.split(' ')) pending.push(Number(kid));
      }
    } catch {
      // exited meanwhile
    }
  }
  return total;
}

/** Resident set size of a process in bytes; NaN once it is gone. */
export function processRssBytes(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** Peak resident set size (VmHWM) of a process in bytes; NaN once it is gone. */
export function processPeakRssBytes(pid: number): number {
  try {
    const match = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** CPU seconds the whole machine spent busy (all cores), to show how much foreign load a run had. */
export function machineBusySeconds(): number {
  const cols = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const total = cols.reduce((a, b) => a + b, 0);
  return (total - cols[3] - cols[4]) / CLOCK_TICKS; // minus idle and iowait
}

// ---- ports ---------------------------------------------------------------------------------

function tcpPortFree(port: number, host: string): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(-1));
    server.listen(port, host, () => {
      const address = server.address();
      const bound = typeof address === 'object' && address !== null ? address.port : -1;
      server.close(() => resolve(bound));
    });
  });
}

function udpPortFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', () => {
      socket.close();
      resolve(false);
    });
    socket.bind(port, host, () => socket.close(() => resolve(true)));
  });
}

/** A port that is free for both TCP and UDP on `host` right now (StatsD listens on both). */
export async function pickFreePort(host = '127.0.0.1'): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await tcpPortFree(0, host);
    if (port > 0 && (await udpPortFree(port, host))) return port;
  }
  throw new Error('no free TCP+UDP port found in 50 attempts');
}

// ---- child processes -----------------------------------------------------------------------

const children = new Set<ChildProcess>();

function alive(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

/** Sends `signal` to the child's process group (it was started detached, so the group is its own). */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

function killAllNow(): void {
  for (const child of children) if (alive(child)) signalGroup(child, 'SIGKILL');
  children.clear();
}

process.on('exit', killAllNow);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    killAllNow();
    process.exit(130);
  });
}

export interface SpawnOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Child stdout+stderr are appended to this file; otherwise discarded. */
  logFile?: string;
  /** Keep stdin/stdout as pipes (for processes the caller talks to). */
  pipes?: boolean;
}

/** Starts a child in its own process group and registers it so that it is killed when we exit. */
export function spawnTracked(command: string, args: readonly string[], options: SpawnOptions = {}): ChildProcess {
  let logFd: number | undefined;
  if (options.logFile !== undefined) logFd = openSync(options.logFile, 'a');
  const output = logFd ?? 'ignore';
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: options.pipes ? ['pipe', 'pipe', output] : ['ignore', output, output],
    detached: true,
  });
  if (logFd !== undefined) closeSync(logFd);
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the child has exited. */
export async function stopChild(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (!alive(child)) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  signalGroup(child, 'SIGTERM');
  const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), graceMs);
  await Promise.race([exited, sleep(graceMs + 3000)]);
  clearTimeout(timer);
  if (alive(child)) signalGroup(child, 'SIGKILL');
}

// ---- formatting ----------------------------------------------------------------------------

/** `1234567` → `1,234,567`; NaN and undefined → `n/a`. */
export function fmt(n: number | undefined, digits = 0): string {
  if (n === undefined || !Number.isFinite(n)) return 'n/a';
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

/** Plain-text table with right-aligned columns. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => (c ?? '').padStart(widths[i])).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/**
 * CPU seconds of a process's threads summed by thread name, with a trailing `-N` dropped so
 * numbered threads of one kind add up (statsd-recv-0 and statsd-recv-1 -> statsd-recv).
 */
export function threadCpuSecondsByName(pid: number): Map<string, number> {
  const ticksPerSecond = 100; // USER_HZ on Linux
  const byName = new Map<string, number>();
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      try {
        const stat = readFileSync(`/proc/${pid}/task/${task}/stat`, 'utf8');
        const close = stat.lastIndexOf(')');
        const name = stat.slice(stat.indexOf('(') + 1, close).replace(/-\d+$/, '');
        const fields = stat.slice(close + 2).split(' ');
        byName.set(name, (byName.get(name) ?? 0) + (Number(fields[11]) + Number(fields[12])) / ticksPerSecond);
      } catch {
        // the thread exited meanwhile
      }
    }
  } catch {
    // the process is gone
  }
  return byName;
}
