/** Success envelopes, Qwoty style. */
export function json(body: unknown, status = 200, headers?: HeadersInit): Response {
  const response = Response.json(body, { status, headers });
  return response;
}

export const ok = <T>(data: T, status = 200) => json({ success: true, data }, status);

export interface Page<T> {
  data: T[];
  hasMore: boolean;
  nextCursor: string | null;
}

export const page = <T>({ data, hasMore, nextCursor }: Page<T>) =>
  json({ success: true, data, has_more: hasMore, next_cursor: nextCursor });

export const deleted = (id: string) => ok({ id, deleted: true });
