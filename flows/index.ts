/**
 * The contact center's lines and queues, as code. The call workflow imports this module, so it must stay
 * deterministic data: no I/O, no clocks. The flow language of later releases builds on these shapes.
 */

export interface QueueConfig {
  name: string;
  /** Teams user ids (Entra object ids) of the agents, in offer order for the first-available rule. */
  agents: string[];
  /** Seconds an agent is kept out of rotation after a call connects, for after-call work. */
  wrapUpSeconds: number;
  /** After an agent declines or misses a call, seconds before that same call is offered to them again. */
  reofferAfterSeconds: number;
}

export interface LineConfig {
  /** The resource account (applicationInstance) id callers dial; `default` answers every other number. */
  applicationInstanceId: string | 'default';
  /** Prompt file names under flows/prompts/: 16 kHz, 16-bit, mono WAV, as Graph requires. */
  greeting: string;
  holdMusic: string;
  queue: string;
}

export const queues: Record<string, QueueConfig> = {
  support: {
    name: 'support',
    agents: [
      '6e7b1c2a-5d4f-4a3b-9c8d-1e2f3a4b5c6d', // Adele Vance
      '8f9e0d1c-2b3a-4c5d-8e6f-7a8b9c0d1e2f', // Alex Wilber
    ],
    wrapUpSeconds: 10,
    reofferAfterSeconds: 30,
  },
};

export const lines: LineConfig[] = [
  { applicationInstanceId: 'default', greeting: 'greeting.wav', holdMusic: 'hold-music.wav', queue: 'support' },
];

/** Unknown numbers get the default line: a caller is never silently dropped. */
export function lineFor(applicationInstanceId: string | undefined): LineConfig {
  return (
    lines.find((l) => l.applicationInstanceId === applicationInstanceId) ??
    lines.find((l) => l.applicationInstanceId === 'default')!
  );
}
