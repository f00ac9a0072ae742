import { describe, expect, it } from 'vitest';
import { checkRecording, MIN_MESSAGE_MS } from '../../src/recordings/message-check.js';
import { makeRecording, RECORDING_FORMATS } from '../../devkit/media/compressed-audio.js';

// Issue 21, point 4: "empty message" is decided from the recording itself. Its level is measured where there are
// samples to read (PCM WAV); compressed audio would need a decoder Switchboard does not ship, so the check says so
// and judges it by length alone: a silent compressed message is kept rather than a spoken one dropped.
describe('the loudness check of a voicemail recording', () => {
  it('measures a PCM WAV, and says why it did not measure each compressed format', () => {
    const wav = checkRecording(makeRecording('wav', 3, 0.3));
    expect(wav.levelDbfs).toBeGreaterThan(-20);
    expect(wav.levelNotChecked).toBeUndefined();
    for (const format of RECORDING_FORMATS.filter((f) => f !== 'wav')) {
      const check = checkRecording(makeRecording(format, 3));
      expect(check.levelDbfs, format).toBeUndefined();
      expect(check.levelNotChecked, format).toMatch(/needs a decoder Switchboard does not include/);
      expect(check.levelNotChecked, format).toContain('judged by its length only');
      // Long enough, so kept: silence inside compressed audio is not detected, and not guessed at.
      expect(check.empty, format).toBeUndefined();
      expect(check.durationMs ?? MIN_MESSAGE_MS, format).toBeGreaterThanOrEqual(MIN_MESSAGE_MS);
    }
  });
});
