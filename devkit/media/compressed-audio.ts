/**
 * Silent audio files in the formats a recordResponse download may come in (Graph documents it only as
 * application/octet-stream: api-reference/v1.0/api/call-record.md), well-formed enough for a player and for
 * src/media/audio-format.ts to tell their format and length. The audio frames carry silence: no encoder is needed.
 */
import { oggCrc } from '../../src/media/ogg.js';
import { makeToneWav } from '../../src/media/wav.js';

export type RecordingFormat = 'wav' | 'mp3' | 'ogg-opus' | 'wma' | 'm4a';
export const RECORDING_FORMATS: readonly RecordingFormat[] = ['wav', 'mp3', 'ogg-opus', 'wma', 'm4a'];

/** A recording of `seconds` in `format`; WAV is a tone at `amplitude` (0 = silence), the others are silent frames. */
export function makeRecording(format: RecordingFormat, seconds: number, amplitude = 0.3): Buffer {
  switch (format) {
    case 'wav':
      return makeToneWav({ seconds, frequencies: [220, 330, 262], segmentSeconds: 0.15, amplitude });
    case 'mp3':
      return makeMp3(seconds);
    case 'ogg-opus':
      return makeOggOpus(seconds);
    case 'wma':
      return makeAsf(seconds);
    case 'm4a':
      return makeM4a(seconds);
  }
}

/** MPEG-2 layer III, 16 kHz mono, 64 kbit/s: 288-byte frames of 576 samples (36 ms), all-zero side info = silence. */
export function makeMp3(seconds: number): Buffer {
  const frames = Math.max(1, Math.round((seconds * 16000) / 576));
  const frame = Buffer.alloc(288);
  frame.set([0xff, 0xf3, 0x88, 0xc0]); // sync, MPEG-2, layer III, no CRC; 64 kbit/s, 16 kHz; mono
  const id3 = Buffer.from([0x49, 0x44, 0x33, 3, 0, 0, 0, 0, 0, 0]); // an empty ID3v2.3 tag, as encoders write
  return Buffer.concat([id3, ...Array.from({ length: frames }, () => frame)]);
}

function oggPage(packets: Buffer[], granule: bigint, sequence: number, flags: number): Buffer {
  const lacing: number[] = [];
  for (const p of packets) {
    for (let n = p.length; ; n -= 255) {
      lacing.push(Math.min(255, n));
      if (n < 255) break;
    }
  }
  const header = Buffer.alloc(27 + lacing.length);
  header.write('OggS', 0, 'latin1');
  header[5] = flags;
  header.writeBigUInt64LE(granule, 6);
  header.writeUInt32LE(0x53425753, 14); // stream serial number
  header.writeUInt32LE(sequence, 18);
  header[26] = lacing.length;
  header.set(lacing, 27);
  const page = Buffer.concat([header, ...packets]);
  page.writeUInt32LE(oggCrc(page), 22);
  return page;
}

/** Ogg Opus (RFC 7845), mono: OpusHead, OpusTags, then 20 ms silent CELT frames, 50 to a page. */
export function makeOggOpus(seconds: number): Buffer {
  const preSkip = 312;
  const head = Buffer.alloc(19);
  head.write('OpusHead', 0, 'latin1');
  head[8] = 1; // version
  head[9] = 1; // channels
  head.writeUInt16LE(preSkip, 10);
  head.writeUInt32LE(16000, 12); // the input's sample rate, for information
  const vendor = 'switchboard-devkit';
  const tags = Buffer.alloc(8 + 4 + vendor.length + 4);
  tags.write('OpusTags', 0, 'latin1');
  tags.writeUInt32LE(vendor.length, 8);
  tags.write(vendor, 12, 'latin1');
  const pages = [oggPage([head], 0n, 0, 0x02), oggPage([tags], 0n, 1, 0)];
  const frames = Math.max(1, Math.round(seconds * 50));
  const silence = Buffer.from([0xf8, 0xff, 0xfe]); // TOC: CELT fullband 20 ms mono, one frame; then silence
  for (let done = 0; done < frames;) {
    const n = Math.min(50, frames - done);
    done += n;
    const granule = BigInt(done * 960 + preSkip);
    pages.push(oggPage(Array<Buffer>(n).fill(silence), granule, pages.length, done === frames ? 0x04 : 0));
  }
  return Buffer.concat(pages);
}

const guid = (hex: string) => Buffer.from(hex, 'hex');

/** ASF (WMA) header with its file properties object (play duration in 100 ns units, preroll in ms). */
export function makeAsf(seconds: number): Buffer {
  const props = Buffer.alloc(104);
  guid('a1dcab8c47a9cf118ee400c00c205365').copy(props, 0);
  props.writeBigUInt64LE(104n, 16);
  const prerollMs = 3000n;
  props.writeBigUInt64LE(BigInt(Math.round(seconds * 10_000_000)) + prerollMs * 10_000n, 64); // play duration
  props.writeBigUInt64LE(BigInt(Math.round(seconds * 10_000_000)), 72); // send duration
  props.writeBigUInt64LE(prerollMs, 80);
  const header = Buffer.alloc(30);
  guid('3026b2758e66cf11a6d900aa0062ce6c').copy(header, 0);
  header.writeBigUInt64LE(BigInt(30 + props.length), 16);
  header.writeUInt32LE(1, 24); // one header object
  header[28] = 0x01; // reserved bytes, as the spec fixes them
  header[29] = 0x02;
  return Buffer.concat([header, props]);
}

function box(type: string, ...body: Buffer[]): Buffer {
  const size = Buffer.alloc(8);
  size.writeUInt32BE(8 + body.reduce((n, b) => n + b.length, 0), 0);
  size.write(type, 4, 'latin1');
  return Buffer.concat([size, ...body]);
}

/** MP4 audio (M4A): ftyp, then a moov whose movie header gives the duration (timescale 1000). */
export function makeM4a(seconds: number): Buffer {
  const ftyp = box('ftyp', Buffer.from('M4A \0\0\0\0M4A isom', 'latin1'));
  const mvhd = Buffer.alloc(100);
  mvhd.writeUInt32BE(1000, 12); // timescale
  mvhd.writeUInt32BE(Math.round(seconds * 1000), 16); // duration
  mvhd.writeUInt32BE(0x00010000, 20); // rate 1.0
  mvhd.writeUInt16BE(0x0100, 24); // volume 1.0
  return Buffer.concat([ftyp, box('moov', box('mvhd', mvhd))]);
}
