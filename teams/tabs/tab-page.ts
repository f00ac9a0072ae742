/**
 * What both tabs share: the signed-in viewer's token, the live floor, the queue memberships the admin API reports,
 * the link's state, and actions that call the admin API, refresh the memberships and redraw (or show the refusal).
 */
import { queues, type QueueSummary } from './admin-api.js';
import { followFloor, type FloorView, type LinkState } from './live.js';
import { signIn } from './session.js';
import { tickTimes } from './view.js';

export class TabPage {
  token = '';
  floor: FloorView | undefined;
  memberships: QueueSummary[] = [];
  link: { state: LinkState; detail?: string } = { state: 'reconnecting' };
  /** The admin API's last refusal, shown until the next action. */
  problem = '';
  private draw: () => void = () => undefined;

  constructor(private readonly page: 'agent' | 'supervisor') {}

  async act(action: () => Promise<unknown>): Promise<void> {
    try {
      this.problem = '';
      await action();
      this.memberships = await queues(this.token);
    } catch (err) {
      this.problem = (err as Error).message;
    }
    this.draw();
  }

  /** Signs in (or goes to the sign-in page), then draws on every change of the floor or of the link. */
  async start(draw: () => void, onFloor?: (floor: FloorView) => void): Promise<void> {
    const token = await signIn(this.page);
    if (!token) return;
    this.token = token;
    this.draw = draw;
    this.memberships = await queues(token).catch(() => []);
    followFloor(
      token,
      (f) => {
        this.floor = f;
        onFloor?.(f);
        draw();
      },
      (state, detail) => {
        this.link = { state, ...(detail ? { detail } : {}) };
        draw();
      },
    );
    tickTimes();
  }
}
