/**
 * The lines callers dial, as code. The call workflow imports this module, so it stays deterministic data: no I/O,
 * no clocks, no validation libraries (queues are validated in flows/index.ts, outside the workflow bundle).
 */
import { DEFAULT_PRIORITY } from '../src/routing/types.js';

export interface LineConfig {
  /** The resource account (applicationInstance) id callers dial; `default` answers every other number. */
  applicationInstanceId: string | 'default';
  /** Prompt file names under flows/prompts/: 16 kHz, 16-bit, mono WAV, as Graph requires. */
  greeting: string;
  holdMusic: string;
  queue: string;
  /** 1 (most urgent) to 5; callers of this line go ahead of callers with a larger number in the same queue. */
  priority: number;
}

export const lines: LineConfig[] = [
  { applicationInstanceId: 'default', greeting: 'greeting.wav', holdMusic: 'hold-music.wav', queue: 'support', priority: DEFAULT_PRIORITY },
  { applicationInstanceId: 'ra-support-vip', greeting: 'greeting.wav', holdMusic: 'hold-music.wav', queue: 'support', priority: 1 },
  { applicationInstanceId: 'ra-sales', greeting: 'greeting.wav', holdMusic: 'hold-music.wav', queue: 'sales', priority: DEFAULT_PRIORITY },
];

/** Unknown numbers get the default line: a caller is never silently dropped. */
export function lineFor(applicationInstanceId: string | undefined): LineConfig {
  return (
    lines.find((l) => l.applicationInstanceId === applicationInstanceId) ??
    lines.find((l) => l.applicationInstanceId === 'default')!
  );
}
