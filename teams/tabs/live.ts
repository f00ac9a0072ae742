/**
 * The floor, live: GET api/live is a server-sent event stream. It is read with fetch rather than EventSource because
 * EventSource cannot send the Authorization header. A dropped stream reconnects by itself, with Last-Event-ID, and the
 * page keeps what it shows meanwhile: no reload.
 */
// The stream's shape is the web process's contract; these are type-only imports, which the bundle leaves out.
import type { FloorView } from '../../src/contracts/floor-view.js';

export type { CallCard, FloorView } from '../../src/contracts/floor-view.js';

export type LinkState = 'live' | 'reconnecting' | 'signed-out';

export function followFloor(
  token: string,
  onFloor: (floor: FloorView) => void,
  onLink: (state: LinkState, detail?: string) => void,
): void {
  let lastId = '';
  let delay = 500;
  const connect = async (): Promise<void> => {
    try {
      const res = await fetch('api/live', {
        headers: { Authorization: `Bearer ${token}`, ...(lastId ? { 'Last-Event-ID': lastId } : {}) },
      });
      if (res.status === 401 || res.status === 403) {
        const body = (await res.json().catch(() => ({}))) as { error?: { message?: string } };
        onLink('signed-out', body.error?.message ?? `HTTP ${res.status}`);
        return;
      }
      if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
      onLink('live');
      delay = 500;
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const event = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let data = '';
          for (const line of event.split('\n')) {
            if (line.startsWith('id: ')) lastId = line.slice(4);
            else if (line.startsWith('data: ')) data += line.slice(6);
          }
          if (data) onFloor(JSON.parse(data) as FloorView);
        }
      }
    } catch {
      // fall through to reconnect
    }
    onLink('reconnecting');
    setTimeout(() => void connect(), delay);
    delay = Math.min(delay * 2, 10_000);
  };
  void connect();
}
