/**
 * One message from the segments it was recorded in (workflows/flow/voicemail-recording.ts): WAV segments of one
 * format become one WAV, MP3 segments one MP3 stream (MPEG frames follow one another; later ID3 tags are dropped), Ogg
 * segments one chained Ogg stream (RFC 3533 section 4, src/media/ogg.ts). Anything else (WMA, M4A, mixed formats)
 * cannot be joined without re-encoding, so the caller keeps the segments as parts of one message.
 */
import { detectAudioFormat } from './audio-format.js';
import { chainOgg } from './ogg.js';
import { parseWav, type WavInfo } from './wav.js';

/** The joined audio, or undefined when the parts are not all WAV of one format, all MP3 or all Ogg of one codec. */
export function joinRecordings(parts: Buffer[]): Buffer | undefined {
  if (parts.length === 0) return undefined;
  if (parts.length === 1) return parts[0];
  const formats = new Set(parts.map((p) => detectAudioFormat(p).format));
  if (formats.size !== 1) return undefined;
  if (formats.has('wav')) return joinWav(parts);
  if (formats.has('mp3')) return Buffer.concat(parts.map((p, i) => (i === 0 ? p : withoutId3(p))));
  if (formats.has('ogg-opus') || formats.has('ogg-vorbis')) return chainOgg(parts);
  return undefined;
}

function withoutId3(mp3: Buffer): Buffer {
  if (mp3.length < 10 || mp3.toString('latin1', 0, 3) !== 'ID3') return mp3;
  const size = ((mp3[6]! & 0x7f) << 21) | ((mp3[7]! & 0x7f) << 14) | ((mp3[8]! & 0x7f) << 7) | (mp3[9]! & 0x7f);
  return mp3.subarray(10 + size + (mp3[5]! & 0x10 ? 10 : 0));
}

/** The bytes of a WAV's data chunk. */
function wavData(wav: Buffer, info: WavInfo): Buffer {
  let offset = 12;
  while (offset + 8 <= wav.length) {
    const size = wav.readUInt32LE(offset + 4);
    if (wav.toString('latin1', offset, offset + 4) === 'data')
      return wav.subarray(offset + 8, offset + 8 + info.dataBytes);
    offset += 8 + size + (size % 2);
  }
  return Buffer.alloc(0);
}

function joinWav(parts: Buffer[]): Buffer | undefined {
  let infos: WavInfo[];
  try {
    infos = parts.map((p) => parseWav(p));
  } catch {
    return undefined;
  }
  const [first] = infos;
  const same = (i: WavInfo) =>
    i.audioFormat === first!.audioFormat &&
    i.channels === first!.channels &&
    i.sampleRate === first!.sampleRate &&
    i.bitsPerSample === first!.bitsPerSample;
  // Plain PCM-style formats only: their fmt chunk is the 16 bytes written below.
  if (!infos.every(same) || ![1, 3, 6, 7].includes(first!.audioFormat)) return undefined;
  const data = Buffer.concat(parts.map((p, i) => wavData(p, infos[i]!)));
  const { audioFormat, channels, sampleRate, bitsPerSample } = first!;
  const blockAlign = (channels * bitsPerSample) / 8;
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'latin1');
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVE', 8, 'latin1');
  header.write('fmt ', 12, 'latin1');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(audioFormat, 20);
  header.writeUInt16LE(channels, 22);
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * blockAlign, 28);
  header.writeUInt16LE(blockAlign, 32);
  header.writeUInt16LE(bitsPerSample, 34);
  header.write('data', 36, 'latin1');
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}
