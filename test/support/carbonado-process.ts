/** Starts the real `carbonado start` CLI as a child process on ephemeral loopback ports. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../src/cli.js', import.meta.url));

export interface CarbonadoProcess {
  child: ChildProcess;
  statsdPort: number;
  httpPort: number;
  /** Carbon plaintext port, or 0 when started without carbon. */
  carbonPort: number;
  output: () => string;
  exited: Promise<number | null>;
  stop(): Promise<number | null>;
}

/**
 * A loopback port free for both TCP and UDP right now (port 0 means "disabled" to carbonado, so
 * tests pick real ports; the tiny race with other processes is acceptable in tests).
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
      });
    });
    const udpFree = await new Promise<boolean>((resolve) => {
      const socket = createSocket('udp4');
      socket.once('error', () => resolve(false));
      socket.bind(port, '127.0.0.1', () => socket.close(() => resolve(true)));
    });
    if (udpFree) return port;
  }
  throw new Error('no free loopback port');
}

export function tempDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'carbonado-e2e-'));
}

export async function startCarbonado(extraArgs: string[] = [], dataDir = tempDataDir(), options: { carbon?: boolean } = {}): Promise<CarbonadoProcess> {
  const [statsd, http, carbon] = [await freePort(), await freePort(), options.carbon ? await freePort() : 0];
  const child = spawn(
    process.execPath,
    [CLI, 'start', '--host', '127.0.0.1', '--statsd-port', String(statsd), '--http-port', String(http), '--carbon-port', String(carbon), '--pickle-port', '0', '--data-dir', dataDir, ...extraArgs],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + 15_000;
  const port = (what: string): number | null => {
    const m = new RegExp(`${what} listening on 127\\.0\\.0\\.1:(\\d+)`).exec(output);
    return m ? Number(m[1]) : null;
  };
  while (port('statsd udp') === null || port('http') === null || (carbon !== 0 && port('carbon plaintext tcp\\+udp') === null)) {
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill('SIGKILL');
      throw new Error(`carbonado did not start:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    child,
    statsdPort: port('statsd udp')!,
    httpPort: port('http')!,
    carbonPort: carbon,
    output: () => output,
    exited,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      const timeout = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const code = await exited;
      clearTimeout(timeout);
      return code;
    },
  };
}

export async function render(httpPort: number, target: string, from = '-5min', until = 'now'): Promise<{ target: string; datapoints: [number | null, number][] }[]> {
  const res = await fetch(`http://127.0.0.1:${httpPort}/render?target=${encodeURIComponent(target)}&from=${from}&until=${until}&format=json`);
  if (!res.ok) throw new Error(`render ${target}: ${res.status} ${await res.text()}`);
  return (await res.json()) as { target: string; datapoints: [number | null, number][] }[];
}
