// How the sync engine reaches the server: the HTTP endpoints of docs/sync-protocol.md behind one
// interface, so tests can drive the engine against the in-process server or a fake.
import { request } from '$lib/api/client';
import type { Person } from '$lib/api/types';
import type {
  BootstrapResponse,
  HistoryResponse,
  PullResponse,
  PushRequest,
  PushResponse
} from '$common/protocol';

/**
 * A person found by GET /api/directory: someone in the own organization, or an accepted external
 * contact (`external`, with their organization's name or null for a personal account).
 */
export type DirectoryEntry = Person;

export interface Transport {
  push(body: PushRequest): Promise<PushResponse>;
  pull(cursor: number, limit?: number): Promise<PullResponse>;
  bootstrap(): Promise<BootstrapResponse>;
  history(chatId: string, before: number, limit?: number): Promise<HistoryResponse>;
  directory(query: string): Promise<DirectoryEntry[]>;
}

/** `request()` from the API client, or a stand-in with the same contract (ApiError/NetworkError). */
export type Send = <T>(method: 'GET' | 'POST', path: string, body?: object) => Promise<T>;

export function httpTransport(send: Send = request): Transport {
  return {
    push: (body) => send<PushResponse>('POST', '/api/sync/push', body),
    pull: (cursor, limit) =>
      send<PullResponse>('GET', `/api/sync/pull?${query({ cursor, limit })}`),
    bootstrap: () => send<BootstrapResponse>('GET', '/api/sync/bootstrap'),
    history: (chatId, before, limit) =>
      send<HistoryResponse>(
        'GET',
        `/api/chats/${encodeURIComponent(chatId)}/messages?${query({ before, limit })}`
      ),
    directory: async (q) => {
      const answer = await send<{ people: DirectoryEntry[] } | DirectoryEntry[]>(
        'GET',
        `/api/directory?${query({ q })}`
      );
      const people = Array.isArray(answer) ? answer : answer.people;
      // A server from before external contacts lists colleagues only.
      return people.map((person) => ({ ...person, external: person.external === true }));
    }
  };
}

function query(params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined) search.set(key, String(value));
  }
  return search.toString();
}
