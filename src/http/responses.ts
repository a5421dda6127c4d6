import { versionOf } from '../lib/versions';
import type { Page } from '../model/page';

/**
 * What handlers return: a status and a body, serialized once by route() so
 * that serialization is timed. Success envelopes are Qwoty's.
 */
export interface Reply {
  status: number;
  body: unknown;
  /** The version of the one record the body carries, for its ETag. */
  version?: number | undefined;
  /** A body that is not JSON (an export's NDJSON), of this media type, with these headers. */
  text?: string;
  type?: string;
  headers?: Record<string, string>;
}

export const reply = (body: unknown, status = 200, version?: number): Reply => ({ status, body, version });

export const ok = <T>(data: T, status = 200) => reply({ success: true, data }, status, versionOf(data));


export const page = <T>({ data, hasMore, nextCursor }: Page<T>) =>
  reply({ success: true, data, has_more: hasMore, next_cursor: nextCursor });

export const deleted = (id: string) => ok({ id, deleted: true });

export const toResponse = ({ body, status }: Reply, headers?: HeadersInit) => Response.json(body, { status, headers });

export const jsonResponse = (text: string, status: number, headers: Record<string, string>, type = 'application/json') =>
  new Response(text, { status, headers: { 'Content-Type': type, ...headers } });
