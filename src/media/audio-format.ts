/**
 * What kind of audio a buffer holds, from its first bytes, and how long it lasts where the container says so.
 *
 * Graph documents a recordResponse download only as `application/octet-stream` (api-reference/v1.0/api/call-record.md,
 * "Example 2: Retrieving the recording file"), never as WAV: a voicemail must be kept whatever format it comes in.
 */
import { oggChainDurationMs } from './ogg.js';
import { parseWav } from './wav.js';

export type AudioFormat =
  'wav' | 'mp3' | 'aac' | 'ogg-opus' | 'ogg-vorbis' | 'ogg' | 'wma' | 'mp4' | 'flac' | 'webm' | 'amr';

export interface DetectedAudio {
  /** undefined when the bytes match no audio format we know: they are still kept, as application/octet-stream. */
  format?: AudioFormat;
  mimeType: string;
  /** File extension for the stored copy, without the dot. */
  extension: string;
}

const TYPES: Record<AudioFormat, { mimeType: string; extension: string }> = {
  wav: { mimeType: 'audio/wav', extension: 'wav' },
  mp3: { mimeType: 'audio/mpeg', extension: 'mp3' },
  aac: { mimeType: 'audio/aac', extension: 'aac' },
  'ogg-opus': { mimeType: 'audio/ogg; codecs=opus', extension: 'opus' },
  'ogg-vorbis': { mimeType: 'audio/ogg; codecs=vorbis', extension: 'ogg' },
  ogg: { mimeType: 'audio/ogg', extension: 'ogg' },
  wma: { mimeType: 'audio/x-ms-wma', extension: 'wma' },
  mp4: { mimeType: 'audio/mp4', extension: 'm4a' },
  flac: { mimeType: 'audio/flac', extension: 'flac' },
  webm: { mimeType: 'audio/webm', extension: 'webm' },
  amr: { mimeType: 'audio/amr', extension: 'amr' },
};

const UNKNOWN = { mimeType: 'application/octet-stream', extension: 'bin' };

/** The ASF header object's GUID (75B22630-668E-11CF-A6D9-00AA0062CE6C), as it is laid out in a file. */
const ASF_HEADER = Buffer.from('3026b2758e66cf11a6d900aa0062ce6c', 'hex');
/** The ASF file properties object's GUID (8CABDCA1-A947-11CF-8EE4-00C00C205365). */
const ASF_FILE_PROPERTIES = Buffer.from('a1dcab8c47a9cf118ee400c00c205365', 'hex');

const ascii = (buf: Buffer, start: number, end: number) => buf.toString('latin1', start, end);

/** MPEG audio frame sync (11 bits set); layer bits 00 are ADTS (AAC), any other layer is MP1/2/3. */
function mpegSync(buf: Buffer, i: number): 'mp3' | 'aac' | undefined {
  if (i + 1 >= buf.length || buf[i] !== 0xff || (buf[i + 1]! & 0xe0) !== 0xe0) return undefined;
  const layer = (buf[i + 1]! >> 1) & 0x03;
  if (layer === 0) return (buf[i + 1]! & 0xf6) === 0xf0 ? 'aac' : undefined;
  return ((buf[i + 1]! >> 3) & 0x03) === 1 ? undefined : 'mp3'; // version 01 is reserved
}

/** The audio format of `buf`, from its magic bytes. */
export function detectAudioFormat(buf: Buffer): DetectedAudio {
  const format = formatOf(buf);
  return format ? { format, ...TYPES[format] } : { ...UNKNOWN };
}

function formatOf(buf: Buffer): AudioFormat | undefined {
  if (buf.length < 4) return undefined;
  const head = ascii(buf, 0, 4);
  if ((head === 'RIFF' || head === 'RF64') && ascii(buf, 8, 12) === 'WAVE') return 'wav';
  if (head === 'OggS') {
    const page = buf.subarray(0, 128);
    if (page.includes('OpusHead')) return 'ogg-opus';
    if (page.includes('vorbis')) return 'ogg-vorbis';
    return 'ogg';
  }
  if (head === 'fLaC') return 'flac';
  if (buf.length >= 16 && buf.subarray(0, 16).equals(ASF_HEADER)) return 'wma';
  if (buf.length >= 8 && ascii(buf, 4, 8) === 'ftyp') return 'mp4';
  if (buf.readUInt32BE(0) === 0x1a45dfa3) return 'webm';
  if (ascii(buf, 0, 5) === '#!AMR') return 'amr';
  if (ascii(buf, 0, 3) === 'ID3') {
    const body = id3Size(buf);
    return mpegSync(buf, body) ?? 'mp3';
  }
  return mpegSync(buf, 0);
}

/** Length of an ID3v2 tag with its 10-byte header (a syncsafe size), so the audio frames after it can be read. */
function id3Size(buf: Buffer): number {
  if (buf.length < 10) return buf.length;
  const size = ((buf[6]! & 0x7f) << 21) | ((buf[7]! & 0x7f) << 14) | ((buf[8]! & 0x7f) << 7) | (buf[9]! & 0x7f);
  return 10 + size + (buf[5]! & 0x10 ? 10 : 0);
}

/**
 * How long the audio lasts, in ms, where its container says so (WAV, MP3 frames, Ogg granule positions, ASF file
 * properties, MP4 movie header); undefined when it cannot be told without decoding.
 */
export function audioDurationMs(buf: Buffer, format: AudioFormat | undefined): number | undefined {
  try {
    switch (format) {
      case 'wav':
        return parseWav(buf).durationMs;
      case 'mp3':
        return mp3DurationMs(buf);
      case 'ogg-opus':
      case 'ogg-vorbis':
        // A chained stream (segments joined, src/media/ogg.ts) lasts as long as its links together.
        return oggChainDurationMs(buf, format === 'ogg-opus' ? 'opus' : 'vorbis') ?? oggDurationMs(buf, format);
      case 'wma':
        return asfDurationMs(buf);
      case 'mp4':
        return mp4DurationMs(buf);
      default:
        return undefined;
    }
  } catch {
    return undefined;
  }
}

const MP3_BITRATES: Record<string, number[]> = {
  // kbit/s by bitrate index, for MPEG-1 layer III and MPEG-2/2.5 layer III
  v1: [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  v2: [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
};
const MP3_RATES: Record<number, number[]> = {
  3: [44100, 48000, 32000],
  2: [22050, 24000, 16000],
  0: [11025, 12000, 8000],
};

/** Sums the frames of an MPEG layer III stream (each frame is 1152 or 576 samples). */
export function mp3DurationMs(buf: Buffer): number | undefined {
  let i = ascii(buf, 0, 3) === 'ID3' ? id3Size(buf) : 0;
  let seconds = 0;
  let frames = 0;
  while (i + 4 <= buf.length) {
    if (mpegSync(buf, i) !== 'mp3') break;
    const version = (buf[i + 1]! >> 3) & 0x03; // 3 = MPEG-1, 2 = MPEG-2, 0 = MPEG-2.5
    const bitrate = (version === 3 ? MP3_BITRATES.v1 : MP3_BITRATES.v2)![buf[i + 2]! >> 4];
    const rate = MP3_RATES[version]?.[(buf[i + 2]! >> 2) & 0x03];
    if (!bitrate || !rate) break;
    const samples = version === 3 ? 1152 : 576;
    const padding = (buf[i + 2]! >> 1) & 0x01;
    const length = Math.floor(((samples / 8) * bitrate * 1000) / rate) + padding;
    seconds += samples / rate;
    frames++;
    i += length;
  }
  return frames > 0 ? seconds * 1000 : undefined;
}

/** A stream whose pages cannot all be walked (cut short): its last page's granule position is its length in samples (48 kHz for Opus, less its pre-skip). */
function oggDurationMs(buf: Buffer, format: 'ogg-opus' | 'ogg-vorbis'): number | undefined {
  const last = buf.lastIndexOf('OggS');
  if (last < 0 || last + 14 > buf.length) return undefined;
  const granule = Number(buf.readBigUInt64LE(last + 6));
  if (format === 'ogg-opus') {
    const head = buf.indexOf('OpusHead');
    const preSkip = head >= 0 && head + 12 <= buf.length ? buf.readUInt16LE(head + 10) : 0;
    return (Math.max(0, granule - preSkip) / 48000) * 1000;
  }
  const id = buf.indexOf('vorbis');
  if (id < 1 || id + 15 > buf.length) return undefined;
  const rate = buf.readUInt32LE(id + 11); // after 'vorbis', version (4), channels (1)
  return rate > 0 ? (granule / rate) * 1000 : undefined;
}

/** ASF (WMA): the file properties object's play duration (100 ns units) less its preroll (ms). */
function asfDurationMs(buf: Buffer): number | undefined {
  const at = buf.indexOf(ASF_FILE_PROPERTIES);
  if (at < 0 || at + 88 > buf.length) return undefined;
  const play100ns = Number(buf.readBigUInt64LE(at + 64));
  const prerollMs = Number(buf.readBigUInt64LE(at + 80));
  return Math.max(0, play100ns / 10_000 - prerollMs);
}

/** MP4 (M4A): the movie header's duration over its timescale. */
function mp4DurationMs(buf: Buffer): number | undefined {
  const at = buf.indexOf('mvhd');
  if (at < 0) return undefined;
  const body = at + 4;
  const version = buf[body];
  const [scaleAt, durationAt] = version === 1 ? [body + 20, body + 24] : [body + 12, body + 16];
  if (durationAt + (version === 1 ? 8 : 4) > buf.length) return undefined;
  const timescale = buf.readUInt32BE(scaleAt);
  const duration = version === 1 ? Number(buf.readBigUInt64BE(durationAt)) : buf.readUInt32BE(durationAt);
  return timescale > 0 ? (duration / timescale) * 1000 : undefined;
}
