/**
 * Ingest threads can run a little below the main thread (store and HTTP API): under overload the
 * kernel then lets a query or a scale poll preempt parsing, whose sockets and rings buffer the
 * difference, instead of the poll waiting behind a parser's time slice.
 *
 * Linux gives every thread its own nice value; a thread finds its id in /proc/thread-self. Where
 * that is missing (other systems) this does nothing.
 */
import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/** Raises this thread's nice value by `increment`; false where threads cannot be reniced. */
export function lowerThisThreadPriority(increment: number): boolean {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (!Number.isInteger(tid) || tid <= 0) return false;
    setPriority(tid, Math.min(19, getPriority(tid) + increment));
    return true;
  } catch {
    return false;
  }
}
