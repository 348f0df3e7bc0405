// The alarm stream (GET /api/alarms/stream, Server-Sent Events). EventSource cannot send the bearer
// token, so the stream is read with fetch and a ReadableStream reader, and the `event:`/`data:` lines
// are parsed here. Reconnects after errors with a growing delay (1 s … 15 s).
import { useEffect, useRef, useState } from 'react';
import { getToken } from '../../api/client';

export interface AlarmStreamEvent {
  topic: string;
  payload: { id?: string; [k: string]: unknown };
}

export type StreamState = 'connecting' | 'live' | 'retrying' | 'refused';

/** Splits SSE text into events; returns the events and the unfinished rest. */
export function parseSse(buffer: string): { events: AlarmStreamEvent[]; rest: string } {
  const events: AlarmStreamEvent[] = [];
  const blocks = buffer.replace(/\r\n?/g, '\n').split('\n\n');
  const rest = blocks.pop() ?? '';
  for (const block of blocks) {
    let topic = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (!line || line.startsWith(':')) continue;
      const i = line.indexOf(':');
      const field = i < 0 ? line : line.slice(0, i);
      const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
      if (field === 'event') topic = value;
      else if (field === 'data') data.push(value);
    }
    if (!data.length) continue;
    try {
      const payload = JSON.parse(data.join('\n')) as AlarmStreamEvent['payload'];
      events.push({ topic, payload: payload && typeof payload === 'object' ? payload : {} });
    } catch {
      events.push({ topic, payload: {} });
    }
  }
  return { events, rest };
}

/**
 * Keeps the stream open while mounted. `onEvent` is called for every event; `onOpen` each time the
 * stream (re)connects, so the caller can reload what it may have missed.
 */
export function useAlarmStream(onEvent: (e: AlarmStreamEvent) => void, onOpen?: () => void): StreamState {
  const [state, setState] = useState<StreamState>('connecting');
  const handlers = useRef({ onEvent, onOpen });
  useEffect(() => {
    handlers.current = { onEvent, onOpen };
  });

  useEffect(() => {
    const ctrl = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let delay = 1000;
    let opened = false;

    const retry = () => {
      if (ctrl.signal.aborted) return;
      setState('retrying');
      timer = setTimeout(() => void connect(), delay);
      delay = Math.min(delay * 2, 15_000);
    };

    const connect = async () => {
      const token = getToken();
      const headers: Record<string, string> = { accept: 'text/event-stream' };
      if (token) headers.authorization = `Bearer ${token}`;
      let res: Response;
      try {
        res = await fetch('/api/alarms/stream', { headers, signal: ctrl.signal, cache: 'no-store' });
      } catch {
        retry();
        return;
      }
      if (res.status === 401 || res.status === 403) {
        setState('refused');
        return;
      }
      if (!res.ok || !res.body) {
        retry();
        return;
      }
      setState('live');
      delay = 1000;
      if (opened) handlers.current.onOpen?.();
      opened = true;
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          const parsed = parseSse(buffer + value);
          buffer = parsed.rest;
          for (const e of parsed.events) handlers.current.onEvent(e);
        }
      } catch {
        // aborted or broken: fall through to reconnect
      }
      retry();
    };

    void connect();
    return () => {
      ctrl.abort();
      if (timer) clearTimeout(timer);
    };
  }, []);

  return state;
}
