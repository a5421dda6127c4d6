/** Hashing shared by the Worker and the Node scripts. Plain erasable TypeScript so that Node runs it directly. */
const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));
const encoder = new TextEncoder();

/** Hex SHA-256; on every request (the token's KV key, the ETag), so no per-call tables. */
export async function sha256Hex(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(text)));
  let hex = '';
  for (const byte of digest) hex += HEX[byte];
  return hex;
}
