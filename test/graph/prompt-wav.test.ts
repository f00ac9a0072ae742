/**
 * The WAV reader and tone writer behind prompts: Graph plays only 16 kHz mono 16-bit PCM, so the emulator and the
 * app's prompt checks both rest on these.
 */
import { describe, expect, it } from 'vitest';
import { isGraphPromptFormat, makeToneWav, parseWav } from '../../src/media/wav.js';

describe('wav', () => {
  it('builds and parses a 16 kHz mono PCM tone that Graph can play', () => {
    const info = parseWav(makeToneWav({ seconds: 1.5, frequencies: [440, 660] }));
    expect(info).toEqual({
      audioFormat: 1,
      channels: 1,
      sampleRate: 16000,
      bitsPerSample: 16,
      dataBytes: 48000,
      durationMs: 1500,
    });
    expect(isGraphPromptFormat(info)).toBe(true);
    expect(isGraphPromptFormat(parseWav(makeToneWav({ seconds: 0.1, sampleRate: 8000 })))).toBe(false);
  });

  it('skips unknown chunks, honours padding, and rejects what is not a WAV', () => {
    const tone = makeToneWav({ seconds: 0.25 });
    // Insert an odd-sized LIST chunk (5 bytes + 1 pad byte) between fmt and data.
    const list = Buffer.concat([
      Buffer.from('LIST'),
      Buffer.from([5, 0, 0, 0]),
      Buffer.from('INFOx'),
      Buffer.from([0]),
    ]);
    const withList = Buffer.concat([tone.subarray(0, 36), list, tone.subarray(36)]);
    withList.writeUInt32LE(withList.length - 8, 4);
    const info = parseWav(withList);
    expect(info.sampleRate).toBe(16000);
    expect(info.durationMs).toBe(250);

    expect(() => parseWav(Buffer.from('ID3\u0003 this is an mp3, honest'))).toThrow(/Not a WAV file/);
    expect(() => parseWav(Buffer.from('RIFF'))).toThrow(/Not a WAV file/);
    expect(() => parseWav(Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('AVI ')]))).toThrow(/WAVE/);
    expect(() => parseWav(tone.subarray(0, 36))).toThrow(/no data chunk/);
  });
});
