/**
 * What handlers return: a status and a body, serialized once by route() so
 * that serialization is timed. Success envelopes are Qwoty's.
 */
export interface Reply {
  status: number;
  body: unknown;
}

export const reply = (body: unknown, status = 200): Reply => ({ status, body });

export const ok = <T>(data: T, status = 200) => reply({ success: true, data }, status);

export interface Page<T> {
  data: T[];
  hasMore: boolean;
  nextCursor: string | null;
}

export const page = <T>({ data, hasMore, nextCursor }: Page<T>) =>
  reply({ success: true, data, has_more: hasMore, next_cursor: nextCursor });

export const deleted = (id: string) => ok({ id, deleted: true });

export const toResponse = ({ body, status }: Reply, headers?: HeadersInit) => Response.json(body, { status, headers });
