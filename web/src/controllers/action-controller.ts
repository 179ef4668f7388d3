import type { ReactiveController, ReactiveControllerHost } from 'lit';

/**
 * One API call at a time from a panel's buttons: `busy` while it runs (the buttons are disabled),
 * `error` with its message when it failed (the server's, for an ApiError), cleared by the next.
 */
export class ActionController implements ReactiveController {
  busy = false;
  error: string | null = null;

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  hostConnected(): void {}

  /** Runs `task` unless one is running; true when it succeeded. */
  async run(task: () => Promise<void>): Promise<boolean> {
    if (this.busy) return false;
    this.busy = true;
    this.error = null;
    this.host.requestUpdate();
    try {
      await task();
      return true;
    } catch (err) {
      this.error = err instanceof Error ? err.message : String(err);
      return false;
    } finally {
      this.busy = false;
      this.host.requestUpdate();
    }
  }
}
