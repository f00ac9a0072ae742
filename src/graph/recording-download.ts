/**
 * A recording's download: not a Graph request. The recordOperation notification gives a location and its own access
 * token, which is sent as the bearer instead of the app's Graph token.
 */
import { GraphRequestError } from './errors.js';
import { graphErrorsTotal } from '../metrics.js';

/** Downloads a recording: GET recordingLocation with the recordingAccessToken as bearer (not a Graph token). */
export async function downloadRecording(recordingLocation: string, recordingAccessToken: string): Promise<Buffer> {
  try {
    return await downloadOnce(recordingLocation, recordingAccessToken);
  } catch (e) {
    if (e instanceof GraphRequestError)
      graphErrorsTotal.inc({ operation: 'downloadRecording', status: String(e.status), code: e.code });
    throw e;
  }
}

async function downloadOnce(recordingLocation: string, recordingAccessToken: string): Promise<Buffer> {
  let res: Response;
  try {
    res = await fetch(recordingLocation, { headers: { Authorization: `Bearer ${recordingAccessToken}` } });
  } catch (e) {
    throw GraphRequestError.fromNetworkError(e, 'downloadRecording');
  }
  if (!res.ok) throw GraphRequestError.fromResponse(res.status, res.headers, await res.text(), 'downloadRecording');
  return Buffer.from(await res.arrayBuffer());
}
