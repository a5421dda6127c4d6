/**
 * The event context row (migrations/0010) as SQL text, for writers outside the
 * Worker's write plans: the local import (scripts/import.ts) and the bench's
 * raw baseline. Parameters: ?1 workspace, ?2 request id, ?3 token id, ?4 API,
 * ?5 time (ms). The Worker's plans set the same row (src/store/events.ts).
 * No imports: the Node scripts load this file as it is.
 */
export const SET_EVENT_CONTEXT =
  'INSERT INTO event_context (id, workspace_id, request_id, token_id, api, now, from_seq) ' +
  'VALUES (1, ?1, ?2, ?3, ?4, ?5, (SELECT coalesce(max(seq), 0) FROM events)) ' +
  'ON CONFLICT (id) DO UPDATE SET workspace_id = excluded.workspace_id, request_id = excluded.request_id, ' +
  'token_id = excluded.token_id, api = excluded.api, now = excluded.now, from_seq = excluded.from_seq';
