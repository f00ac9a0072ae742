/**
 * How long the emulated world takes to react. Durations marked ÷ mediaSpeed are the emulator's own and shrink with
 * mediaSpeed; the others are human time and do not.
 */

/** Time the callee's phone rings when a transfer is ignored, before the transfer fails (÷ mediaSpeed). */
export const TRANSFER_ALERT_TIMEOUT_MS = 30000;
/** Gap between establishing and established (÷ mediaSpeed). */
export const ESTABLISH_DELAY_MS = 200;
/** Gap between terminating and terminated, and between transferAccepted and terminated (÷ mediaSpeed). */
export const TEARDOWN_DELAY_MS = 100;
/** An agent who answered a call from the bot and hears nothing hangs up after this (human time: not scaled). */
export const AGENT_SILENCE_HANGUP_MS = 60_000;
/** A busy agent's client rejects a transfer after this (÷ mediaSpeed). */
export const BUSY_REJECT_DELAY_MS = 300;
