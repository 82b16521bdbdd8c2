/**
 * Reads the datagrams queued on a bound dgram socket with plain read(2) calls, many per event-loop
 * turn, into one reused buffer.
 *
 * Node's 'message' event costs several microseconds per datagram (a 64 KiB allocation, a copy
 * into a new Buffer, an rinfo object with an address string, a callback into JavaScript) and
 * leaves that garbage to the GC; a read into our own buffer costs the system call and little
 * more. A datagram socket's read returns exactly one datagram, so boundaries are kept.
 *
 * This needs the socket's file descriptor, which dgram does not expose: `open` finds it through
 * the socket's internal state and returns null where it cannot (another Node version, Windows);
 * the caller then keeps using 'message' events.
 */
import type { Socket } from 'node:dgram';
import { readSync } from 'node:fs';

/** Largest UDP payload: a read with less room than this could truncate a datagram. */
export const MAX_DATAGRAM_BYTES = 65536;

interface UdpHandle {
  fd: number;
  recvStart(): number;
  recvStop(): number;
}

function udpHandleOf(socket: Socket): UdpHandle | null {
  const state = Object.getOwnPropertySymbols(socket).find((s) => s.description === 'state symbol');
  const handle = state === undefined ? undefined : (socket as unknown as Record<symbol, { handle?: Partial<UdpHandle> }>)[state]?.handle;
  if (
    handle === undefined ||
    typeof handle.fd !== 'number' ||
    handle.fd < 0 ||
    typeof handle.recvStart !== 'function' ||
    typeof handle.recvStop !== 'function'
  ) {
    return null;
  }
  return handle as UdpHandle;
}

/**
 * Reads one queued datagram from the datagram socket `fd` into buffer[offset, offset +
 * MAX_DATAGRAM_BYTES) and returns its length, or -1 when none is queued. Any other error is thrown.
 */
export function readDatagram(fd: number, buffer: Uint8Array, offset: number): number {
  try {
    return readSync(fd, buffer, offset, MAX_DATAGRAM_BYTES, null);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EAGAIN' || (err as NodeJS.ErrnoException).code === 'EWOULDBLOCK') return -1;
    throw err;
  }
}

export class DatagramDrain {
  private constructor(
    private readonly handle: UdpHandle,
    /** The socket's file descriptor: other threads of this process may read it too. */
    readonly fd: number,
  ) {}

  /** A drain for a bound socket, or null where its descriptor cannot be reached. */
  static open(socket: Socket): DatagramDrain | null {
    const handle = udpHandleOf(socket);
    return handle === null ? null : new DatagramDrain(handle, handle.fd);
  }

  /**
   * Reads one queued datagram into buffer[offset, offset + MAX_DATAGRAM_BYTES) and returns its
   * length, or -1 when none is queued. Any other error is thrown.
   */
  read(buffer: Uint8Array, offset: number): number {
    return readDatagram(this.fd, buffer, offset);
  }

  /** Stops Node's own reading ('message' events), so the socket no longer wakes the event loop. */
  pauseEvents(): void {
    this.handle.recvStop();
  }

  /** Lets Node read and wake the event loop again. */
  resumeEvents(): void {
    this.handle.recvStart();
  }
}
