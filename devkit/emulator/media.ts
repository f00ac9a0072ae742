/**
 * Service-hosted media: downloads prompt files over HTTP(S) and checks that they are WAV files
 * Graph can play (PCM, 16 kHz, 16-bit, mono). Media given in preFetchMedia is cached per call.
 */
import { describeWavFormat, isGraphPromptFormat, parseWav, type WavInfo } from '../../src/media/wav.js';
import type { ResultInfo } from './types.js';

/** Why a prompt can't be played. The codes are those of the Microsoft media platform (Azure
 * Communication Services documents 8535/8536 for these cases); Graph's docs list none. */
export class MediaError extends Error {
  constructor(
    readonly resultInfo: ResultInfo,
    readonly uri: string,
  ) {
    super(resultInfo.message);
  }
}

const MAX_PROMPT_BYTES = 50 * 1024 * 1024;

export class MediaLoader {
  private readonly controllers = new Set<AbortController>();

  constructor(private readonly timeoutMs = 10000) {}

  async load(uri: string): Promise<WavInfo> {
    let url: URL;
    try {
      url = new URL(uri);
    } catch {
      throw new MediaError(
        { code: 400, subcode: 8536, message: `Action failed, file could not be downloaded. Invalid URI: ${uri}` },
        uri,
      );
    }
    const controller = new AbortController();
    this.controllers.add(controller);
    const timer = setTimeout(() => controller.abort(), this.timeoutMs);
    let buf: Buffer;
    try {
      const res = await fetch(url, { signal: controller.signal });
      if (!res.ok) {
        await res.arrayBuffer().catch(() => undefined);
        throw new MediaError(
          {
            code: 400,
            subcode: 8536,
            message: `Action failed, file could not be downloaded. HTTP ${res.status} for ${uri}`,
          },
          uri,
        );
      }
      const length = Number(res.headers.get('content-length') ?? '0');
      if (length > MAX_PROMPT_BYTES)
        throw new MediaError(
          { code: 400, subcode: 8536, message: `Action failed, file is too large (${length} bytes): ${uri}` },
          uri,
        );
      buf = Buffer.from(await res.arrayBuffer());
    } catch (e) {
      if (e instanceof MediaError) throw e;
      const cause = (e as { cause?: { code?: string } }).cause?.code;
      throw new MediaError(
        {
          code: 400,
          subcode: 8536,
          message: `Action failed, file could not be downloaded. ${cause ?? (e as Error).message} for ${uri}`,
        },
        uri,
      );
    } finally {
      clearTimeout(timer);
      this.controllers.delete(controller);
    }
    let info: WavInfo;
    try {
      info = parseWav(buf);
    } catch (e) {
      throw new MediaError(
        { code: 400, subcode: 8535, message: `Action failed, file format is invalid. ${(e as Error).message}: ${uri}` },
        uri,
      );
    }
    if (!isGraphPromptFormat(info)) {
      throw new MediaError(
        {
          code: 400,
          subcode: 8535,
          message: `Action failed, file format is invalid. ${describeWavFormat(info)}; prompts must be PCM 16000 Hz 16-bit mono: ${uri}`,
        },
        uri,
      );
    }
    return info;
  }

  stop(): void {
    for (const c of this.controllers) c.abort();
  }
}
