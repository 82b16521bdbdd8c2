/**
 * Who may call write endpoints (Scale API writes, series deletion): with an admin token configured
 * (CARBONADO_ADMIN_TOKEN or the config file), a request carrying `Authorization: Bearer <token>`;
 * with none, loopback clients only, so a fresh install is not open to the network.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';

export class AdminAuthError extends Error {
  override name = 'AdminAuthError';
  constructor(
    readonly status: 401 | 403,
    message: string,
  ) {
    super(message);
  }
}

/** Returns a check that throws AdminAuthError unless the request may write. */
export function requireAdmin(adminToken: string | undefined): (c: Context) => void {
  const expected = adminToken === undefined ? null : digest(adminToken);
  return (c) => {
    if (expected === null) {
      if (!isLoopback(remoteAddress(c))) {
        throw new AdminAuthError(403, 'no admin token is configured, so write endpoints accept loopback clients only (set CARBONADO_ADMIN_TOKEN)');
      }
      return;
    }
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (match === null) throw new AdminAuthError(401, 'missing "Authorization: Bearer <token>"');
    // Compare digests: equal lengths, and no timing hint about the token.
    if (!timingSafeEqual(digest(match[1]), expected)) throw new AdminAuthError(401, 'wrong admin token');
  };
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

function remoteAddress(c: Context): string | undefined {
  try {
    return getConnInfo(c).remote.address;
  } catch {
    return undefined; // not served by @hono/node-server (app.request in tests): not known to be loopback
  }
}

function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}
