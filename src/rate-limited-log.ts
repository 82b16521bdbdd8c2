/** At most one log line per interval for a noisy event, with a count of what it held back. */
export class RateLimitedLog {
  private last = 0;
  private suppressed = 0;

  constructor(
    private readonly topic: string,
    private readonly intervalMs = 1000,
  ) {}

  log(message: string): void {
    const now = Date.now();
    if (now - this.last < this.intervalMs) {
      this.suppressed++;
      return;
    }
    const held = this.suppressed > 0 ? ` (+${this.suppressed} more since the last report)` : '';
    console.warn(`carbonado: ${this.topic}: ${message}${held}`);
    this.last = now;
    this.suppressed = 0;
  }
}
