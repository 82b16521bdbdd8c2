import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SERVER_NODE_FLAGS } from '../src/server-node-flags.js';

const repo = (path: string): string => fileURLToPath(new URL(`../../${path}`, import.meta.url));

test('npm start runs the CLI with the server\'s Node flags', () => {
  const scripts = (JSON.parse(readFileSync(repo('package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  assert.equal(scripts.start, ['node', ...SERVER_NODE_FLAGS, 'dist/src/cli.js', 'start'].join(' '));
});
