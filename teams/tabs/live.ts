/**
 * The floor, live: GET api/live is a server-sent event stream. It is read with fetch rather than EventSource because
 * EventSource cannot send the Authorization header. A dropped stream reconnects by itself, with Last-Event-ID, and the
 * page keeps what it shows meanwhile: no reload.
 */
export interface CallCard {
  callId: string;
  workflowId: string;
  from: { number: string | null; name: string | null };
  line: string | null;
  queue: string | null;
  path: string[];
  tags: string[];
  data: Record<string, string | number | boolean>;
}

export interface FloorView {
  viewer: { agentId: string; name: string; supervises: boolean };
  me: {
    state: string;
    since: string;
    queues: string[];
    call: CallCard | null;
    /** The codes this call may be given: its queue's list, active ones only. */
    wrapUpCodes: { code: string; label: string }[];
  } | null;
  waiting: { callId: string; workflowId: string; queue: string; since: string; position: number }[];
  links: { temporalWorkflows?: string; grafana?: string };
  queues: {
    queue: string;
    waiting: number;
    oldestWaitingSince: string | null;
    agentsByState: Record<string, number>;
  }[];
  agents: { agentId: string; name: string; state: string; since: string; queues: string[]; callId: string | null }[];
}

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
