/**
 * The server's "now" as seen from the browser. Waits and times in state are differences between the
 * server's timestamps and its clock. The browser's clock may lag it (skew, or the simulator running
 * its world faster than real time), so every server timestamp observed is a lower bound of the
 * server's now at the moment it arrived: the clock keeps the largest such offset. A browser clock
 * that runs ahead shows waits slightly too long until the server says otherwise; waits are clamped
 * at zero either way.
 */
export class ServerClock {
  private offsetMs = 0;
  private rate = 1;
  private anchorLocalMs: number | null = null;
  private anchorServerMs = 0;

  /** An event time the server has produced, received at local time `localNowMs`. */
  observe(serverTimeIso: string | null | undefined, localNowMs: number): void {
    if (!serverTimeIso) return;
    const serverMs = Date.parse(serverTimeIso);
    if (Number.isNaN(serverMs)) return;
    if (this.anchorLocalMs === null) {
      if (serverMs - localNowMs > this.offsetMs) this.offsetMs = serverMs - localNowMs;
      return;
    }
    const predicted = this.anchorServerMs + (localNowMs - this.anchorLocalMs) * this.rate;
    if (serverMs > predicted) {
      this.anchorServerMs = serverMs;
      this.anchorLocalMs = localNowMs;
    }
  }

  /**
   * A known relation between the clocks: the server's time at `localNowMs`, and how many server
   * seconds pass per local second (above 1 when a simulator runs its world faster).
   */
  sync(serverNowIso: string, localNowMs: number, rate = 1): void {
    const serverMs = Date.parse(serverNowIso);
    if (Number.isNaN(serverMs) || !(rate > 0)) return;
    this.anchorServerMs = serverMs;
    this.anchorLocalMs = localNowMs;
    this.rate = rate;
    this.offsetMs = serverMs - localNowMs;
  }

  /** The server's now, in ms, at local time `localNowMs`. */
  now(localNowMs: number): number {
    if (this.anchorLocalMs === null) return localNowMs + this.offsetMs;
    return this.anchorServerMs + (localNowMs - this.anchorLocalMs) * this.rate;
  }
}
