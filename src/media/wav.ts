/**
 * Minimal RIFF/WAVE support: parse the header of a WAV file (to check it is a
 * prompt Graph can play) and synthesise simple tone prompts.
 *
 * Graph's service-hosted media only plays WAV files that are PCM, mono,
 * 16-bit, 16 kHz (see resources/mediainfo.md in the Graph docs).
 */

export interface WavInfo {
  /** Format code from the fmt chunk (1 = PCM, 3 = IEEE float, 6 = A-law, 7 = µ-law). For
   * WAVE_FORMAT_EXTENSIBLE files this is the format code of the SubFormat GUID. */
  audioFormat: number;
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
  /** Bytes of audio in the data chunk (clamped to what the buffer really holds). */
  dataBytes: number;
  durationMs: number;
}

export const WAVE_FORMAT_PCM = 1;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;

function fourCC(buf: Buffer, offset: number): string {
  return buf.toString('latin1', offset, offset + 4);
}

/** Parses a RIFF/WAVE buffer. Throws an Error with a clear message when it is not a usable WAV file. */
export function parseWav(buf: Buffer): WavInfo {
  if (!Buffer.isBuffer(buf)) throw new Error('Not a WAV file: expected a Buffer');
  if (buf.length < 12) throw new Error(`Not a WAV file: only ${buf.length} bytes, a RIFF header needs 12`);
  const riff = fourCC(buf, 0);
  if (riff !== 'RIFF') {
    if (riff === 'RIFX') throw new Error('Unsupported WAV file: big-endian RIFX');
    if (riff === 'RF64') throw new Error('Unsupported WAV file: RF64');
    throw new Error(`Not a WAV file: starts with ${JSON.stringify(riff)} instead of "RIFF"`);
  }
  if (fourCC(buf, 8) !== 'WAVE') {
    throw new Error(`Not a WAV file: RIFF form type is ${JSON.stringify(fourCC(buf, 8))} instead of "WAVE"`);
  }

  let fmt: { audioFormat: number; channels: number; sampleRate: number; bitsPerSample: number } | undefined;
  let dataBytes: number | undefined;

  let offset = 12;
  while (offset + 8 <= buf.length) {
    const id = fourCC(buf, offset);
    const size = buf.readUInt32LE(offset + 4);
    const body = offset + 8;
    const available = Math.max(0, Math.min(size, buf.length - body));
    if (id === 'fmt ') {
      if (available < 16) throw new Error(`Invalid WAV file: fmt chunk is ${available} bytes, needs at least 16`);
      let audioFormat = buf.readUInt16LE(body);
      const channels = buf.readUInt16LE(body + 2);
      const sampleRate = buf.readUInt32LE(body + 4);
      const bitsPerSample = buf.readUInt16LE(body + 14);
      if (audioFormat === WAVE_FORMAT_EXTENSIBLE) {
        // cbSize(2) validBits(2) channelMask(4) SubFormat GUID(16); the GUID starts with the format code.
        if (available < 40) throw new Error('Invalid WAV file: WAVE_FORMAT_EXTENSIBLE fmt chunk is truncated');
        audioFormat = buf.readUInt16LE(body + 24);
      }
      fmt = { audioFormat, channels, sampleRate, bitsPerSample };
    } else if (id === 'data') {
      // Streamed WAVs may carry 0 or 0xFFFFFFFF as size: count what is really there.
      dataBytes = size === 0 || size === 0xffffffff ? buf.length - body : available;
      if (fmt) break;
    }
    // Chunks are word-aligned: odd sizes carry one pad byte.
    offset = body + size + (size % 2);
  }

  if (!fmt) throw new Error('Invalid WAV file: no fmt chunk');
  if (dataBytes === undefined) throw new Error('Invalid WAV file: no data chunk');
  if (fmt.channels === 0) throw new Error('Invalid WAV file: 0 channels');
  if (fmt.sampleRate === 0) throw new Error('Invalid WAV file: sample rate 0');

  const bytesPerSecond = (fmt.sampleRate * fmt.channels * fmt.bitsPerSample) / 8;
  const durationMs = bytesPerSecond > 0 ? (dataBytes / bytesPerSecond) * 1000 : 0;
  return { ...fmt, dataBytes, durationMs };
}

/** True only for what Graph's service-hosted media plays: PCM, 16 kHz, 16-bit, mono. */
export function isGraphPromptFormat(
  info: Pick<WavInfo, 'audioFormat' | 'sampleRate' | 'bitsPerSample' | 'channels'>,
): boolean {
  return (
    info.audioFormat === WAVE_FORMAT_PCM &&
    info.sampleRate === 16000 &&
    info.bitsPerSample === 16 &&
    info.channels === 1
  );
}

/** Describes a format like "PCM 16000 Hz 16-bit mono", for error messages. */
export function describeWavFormat(
  info: Pick<WavInfo, 'audioFormat' | 'sampleRate' | 'bitsPerSample' | 'channels'>,
): string {
  const names: Record<number, string> = { 1: 'PCM', 3: 'IEEE float', 6: 'A-law', 7: 'mu-law' };
  const format = names[info.audioFormat] ?? `format ${info.audioFormat}`;
  const channels = info.channels === 1 ? 'mono' : info.channels === 2 ? 'stereo' : `${info.channels} channels`;
  return `${format} ${info.sampleRate} Hz ${info.bitsPerSample}-bit ${channels}`;
}

export interface ToneWavOptions {
  seconds: number;
  sampleRate?: number;
  /** One frequency: a steady tone. Several: they alternate, each for `segmentSeconds`. */
  frequencies?: number[];
  /** 0..1 of full scale. */
  amplitude?: number;
  segmentSeconds?: number;
}

/** Builds a PCM 16-bit mono WAV of a tone (or alternating tones), e.g. for greeting and hold-music prompts. */
export function makeToneWav({
  seconds,
  sampleRate = 16000,
  frequencies = [440],
  amplitude = 0.2,
  segmentSeconds = 0.5,
}: ToneWavOptions): Buffer {
  if (!(seconds >= 0) || !Number.isFinite(seconds))
    throw new Error(`makeToneWav: seconds must be a finite number >= 0, got ${seconds}`);
  if (!Number.isInteger(sampleRate) || sampleRate <= 0) throw new Error(`makeToneWav: bad sampleRate ${sampleRate}`);
  if (frequencies.length === 0) throw new Error('makeToneWav: frequencies must not be empty');
  if (!(amplitude >= 0 && amplitude <= 1))
    throw new Error(`makeToneWav: amplitude must be within 0..1, got ${amplitude}`);

  const sampleCount = Math.round(seconds * sampleRate);
  const dataBytes = sampleCount * 2;
  const buf = Buffer.alloc(44 + dataBytes);
  buf.write('RIFF', 0, 'latin1');
  buf.writeUInt32LE(36 + dataBytes, 4);
  buf.write('WAVE', 8, 'latin1');
  buf.write('fmt ', 12, 'latin1');
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(WAVE_FORMAT_PCM, 20);
  buf.writeUInt16LE(1, 22); // mono
  buf.writeUInt32LE(sampleRate, 24);
  buf.writeUInt32LE(sampleRate * 2, 28); // byte rate
  buf.writeUInt16LE(2, 32); // block align
  buf.writeUInt16LE(16, 34); // bits per sample
  buf.write('data', 36, 'latin1');
  buf.writeUInt32LE(dataBytes, 40);

  const segmentSamples = Math.max(1, Math.round(segmentSeconds * sampleRate));
  const fadeSamples = Math.min(Math.round(0.01 * sampleRate), Math.floor(segmentSamples / 2));
  const peak = amplitude * 32767;
  for (let i = 0; i < sampleCount; i++) {
    const segment = Math.floor(i / segmentSamples);
    const frequency = frequencies[segment % frequencies.length] ?? 440;
    const inSegment = i - segment * segmentSamples;
    const segmentLength = Math.min(segmentSamples, sampleCount - segment * segmentSamples);
    // Short fades at segment edges avoid clicks when the tone changes.
    let gain = 1;
    if (frequencies.length > 1 || segment === 0) gain = Math.min(gain, fadeSamples > 0 ? inSegment / fadeSamples : 1);
    if (frequencies.length > 1 || i >= sampleCount - fadeSamples) {
      gain = Math.min(gain, fadeSamples > 0 ? (segmentLength - 1 - inSegment) / fadeSamples : 1);
    }
    const value = Math.round(
      peak * Math.max(0, Math.min(1, gain)) * Math.sin((2 * Math.PI * frequency * i) / sampleRate),
    );
    buf.writeInt16LE(value, 44 + i * 2);
  }
  return buf;
}
