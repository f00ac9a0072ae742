/**
 * Ogg pages, enough to chain recordings and to tell a chain's length without decoding.
 *
 * The Ogg format (RFC 3533, section 4) defines "chaining": complete logical bitstreams that follow one another in one
 * physical bitstream, each with its own serial number ("bitstream_serial_number", section 6: unique within the
 * physical bitstream). Ogg Opus says the same of chained Opus streams (RFC 7845, section 3: each link is a complete
 * stream with its own ID header and its own granule positions). So segments of one voicemail, each a whole Ogg
 * stream, are one message once concatenated, provided no two links share a serial number: a link whose serial number
 * was already used is given a fresh one, and its pages' CRCs are computed again.
 */

/** The page header's fixed part; the segment table follows it. */
const HEADER_BYTES = 27;

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let r = i << 24;
    for (let j = 0; j < 8; j++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
    table[i] = r >>> 0;
  }
  return table;
})();

/** RFC 3533 section 6: CRC-32 (polynomial 0x04c11db7, no reflection) over the page with its checksum field zeroed. */
export function oggCrc(page: Buffer): number {
  let crc = 0;
  for (let i = 0; i < page.length; i++) {
    const byte = i >= 22 && i < 26 ? 0 : page[i]!;
    crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ byte) & 0xff]!) >>> 0;
  }
  return crc;
}

export interface OggPage {
  /** Where the page starts in the buffer, and its length with header. */
  offset: number;
  length: number;
  serial: number;
  granule: bigint;
  /** Header type flags: 0x02 beginning of stream, 0x04 end of stream. */
  flags: number;
}

/** The pages of an Ogg buffer, in order; undefined when it is not a well-formed sequence of pages. */
export function oggPages(buf: Buffer): OggPage[] | undefined {
  const pages: OggPage[] = [];
  let offset = 0;
  while (offset < buf.length) {
    if (offset + HEADER_BYTES > buf.length || buf.toString('latin1', offset, offset + 4) !== 'OggS') return undefined;
    const segments = buf[offset + 26]!;
    if (offset + HEADER_BYTES + segments > buf.length) return undefined;
    let body = 0;
    for (let i = 0; i < segments; i++) body += buf[offset + HEADER_BYTES + i]!;
    const length = HEADER_BYTES + segments + body;
    if (offset + length > buf.length) return undefined;
    pages.push({
      offset,
      length,
      serial: buf.readUInt32LE(offset + 14),
      granule: buf.readBigUInt64LE(offset + 6),
      flags: buf[offset + 5]!,
    });
    offset += length;
  }
  return pages.length > 0 ? pages : undefined;
}

/**
 * One chained Ogg stream from whole Ogg streams, in order (RFC 3533 section 4); undefined when a part is not a
 * well-formed Ogg stream. A part's serial numbers that an earlier part used are renumbered.
 */
export function chainOgg(parts: Buffer[]): Buffer | undefined {
  const parsed = parts.map((p) => oggPages(p));
  if (parsed.some((p) => p === undefined)) return undefined;
  const used = new Set<number>();
  const out: Buffer[] = [];
  parsed.forEach((pages, i) => {
    const part = parts[i]!;
    const renumber = new Map<number, number>();
    for (const serial of new Set(pages!.map((p) => p.serial))) {
      let fresh = serial;
      while (used.has(fresh)) fresh = (fresh + 1) >>> 0;
      renumber.set(serial, fresh);
    }
    for (const page of pages!) {
      const serial = renumber.get(page.serial)!;
      const bytes = Buffer.from(part.subarray(page.offset, page.offset + page.length));
      if (serial !== page.serial) {
        bytes.writeUInt32LE(serial, 14);
        bytes.writeUInt32LE(oggCrc(bytes), 22);
      }
      out.push(bytes);
    }
    for (const serial of renumber.values()) used.add(serial);
  });
  return Buffer.concat(out);
}

/**
 * How long an Ogg Opus or Vorbis stream lasts, chained or not: each link's last granule position (its length in
 * samples; for Opus at 48 kHz less the link's pre-skip, RFC 7845 section 4.1), summed over the links.
 */
export function oggChainDurationMs(buf: Buffer, codec: 'opus' | 'vorbis'): number | undefined {
  const pages = oggPages(buf);
  if (!pages) return undefined;
  let totalMs = 0;
  let links = 0;
  for (const serial of new Set(pages.map((p) => p.serial))) {
    const own = pages.filter((p) => p.serial === serial);
    const first = own[0]!;
    const header = buf.subarray(first.offset, first.offset + first.length);
    const last = own.findLast((p) => p.granule !== 0xffffffffffffffffn);
    if (!last) continue;
    const granule = Number(last.granule);
    if (codec === 'opus') {
      const head = header.indexOf('OpusHead');
      if (head < 0 || head + 12 > header.length) continue;
      totalMs += (Math.max(0, granule - header.readUInt16LE(head + 10)) / 48000) * 1000;
    } else {
      const id = header.indexOf('vorbis');
      if (id < 1 || id + 15 > header.length) continue;
      const rate = header.readUInt32LE(id + 11); // after 'vorbis', version (4), channels (1)
      if (rate <= 0) continue;
      totalMs += (granule / rate) * 1000;
    }
    links++;
  }
  return links > 0 ? totalMs : undefined;
}
