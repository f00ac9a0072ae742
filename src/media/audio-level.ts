/**
 * How loud a recording gets: the RMS level of its loudest 50 ms window, in dBFS. Used to tell a voicemail with a
 * voice in it from one of line silence, since Graph v1.0 does not say why a recording ended (its recordOperation has
 * no completionReason: api-reference/v1.0/resources/recordoperation.md).
 *
 * Only uncompressed WAV is measured (PCM 8/16/24/32-bit, IEEE float, A-law, µ-law); compressed audio would need a
 * decoder, so its level is unknown and a message in it is judged by its length alone.
 */
import { parseWav } from './wav.js';

/** What silence measures: -Infinity dBFS. */
export const SILENCE_DBFS = -Infinity;

const WINDOW_MS = 50;

/** The loudest 50 ms window's RMS level in dBFS, or undefined when the format cannot be measured. */
export function loudestWindowDbfs(wav: Buffer): number | undefined {
  const info = parseWav(wav);
  const sample = sampleReader(info.audioFormat, info.bitsPerSample);
  if (!sample) return undefined;
  const dataAt = dataOffset(wav);
  if (dataAt === undefined) return undefined;
  const bytesPerSample = info.bitsPerSample / 8;
  const frameBytes = bytesPerSample * info.channels;
  const frames = Math.floor(Math.min(info.dataBytes, wav.length - dataAt) / frameBytes);
  const window = Math.max(1, Math.round((info.sampleRate * WINDOW_MS) / 1000));
  let loudest = 0;
  for (let start = 0; start < frames; start += window) {
    const end = Math.min(frames, start + window);
    let sum = 0;
    for (let f = start; f < end; f++) {
      // The first channel is enough: a voice is on every channel of a call recording.
      const v = sample(wav, dataAt + f * frameBytes);
      sum += v * v;
    }
    loudest = Math.max(loudest, Math.sqrt(sum / (end - start)));
  }
  return loudest > 0 ? 20 * Math.log10(loudest) : SILENCE_DBFS;
}

function dataOffset(wav: Buffer): number | undefined {
  let offset = 12;
  while (offset + 8 <= wav.length) {
    const size = wav.readUInt32LE(offset + 4);
    if (wav.toString('latin1', offset, offset + 4) === 'data') return offset + 8;
    offset += 8 + size + (size % 2);
  }
  return undefined;
}

type SampleReader = (buf: Buffer, at: number) => number;

/** Reads one sample as -1..1 full scale. */
function sampleReader(audioFormat: number, bits: number): SampleReader | undefined {
  if (audioFormat === 1) {
    if (bits === 8) return (b, at) => (b.readUInt8(at) - 128) / 128;
    if (bits === 16) return (b, at) => b.readInt16LE(at) / 32768;
    if (bits === 24) return (b, at) => b.readIntLE(at, 3) / 8388608;
    if (bits === 32) return (b, at) => b.readInt32LE(at) / 2147483648;
  }
  if (audioFormat === 3 && bits === 32) return (b, at) => b.readFloatLE(at);
  if (audioFormat === 6 && bits === 8) return (b, at) => alaw(b.readUInt8(at)) / 32768;
  if (audioFormat === 7 && bits === 8) return (b, at) => ulaw(b.readUInt8(at)) / 32768;
  return undefined;
}

/** G.711 µ-law to 16-bit linear. */
function ulaw(byte: number): number {
  const u = ~byte & 0xff;
  const t = (((u & 0x0f) << 3) + 0x84) << ((u & 0x70) >> 4);
  return u & 0x80 ? 0x84 - t : t - 0x84;
}

/** G.711 A-law to 16-bit linear. */
function alaw(byte: number): number {
  const a = byte ^ 0x55;
  const exponent = (a & 0x70) >> 4;
  let t = (a & 0x0f) << 4;
  t = exponent === 0 ? t + 8 : (t + 0x108) << (exponent - 1);
  return a & 0x80 ? t : -t;
}
