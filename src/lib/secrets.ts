/**
 * Webhook signing secrets. A secret is `whsec_` + base64 of 32 random bytes
 * (the Standard Webhooks format); the Worker needs it to sign, so it is
 * stored encrypted: AES-256-GCM under a key held as a Worker secret
 * (WEBHOOK_SECRETS_KEY, base64 of 32 bytes), as `v1.<base64 iv>.<base64
 * ciphertext>`. Signatures follow the Standard Webhooks specification:
 * `v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">` keyed by the
 * secret's bytes.
 */
const encoder = new TextEncoder();

export const base64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
export const unbase64 = (text: string) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

export const newSecret = () => `whsec_${base64(crypto.getRandomValues(new Uint8Array(32)))}`;

/**
 * The secret of a write made under an Idempotency-Key: derived from the key
 * (HMAC-SHA256 under WEBHOOK_SECRETS_KEY of the workspace, the route and the
 * key), so that a replay answers the secret the first request stored. Without
 * WEBHOOK_SECRETS_KEY it cannot be guessed, like a random one.
 */
export async function keyedSecret(setting: string | undefined, ...parts: string[]): Promise<string> {
  const key = await crypto.subtle.importKey('raw', keyBytes(setting), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = await crypto.subtle.sign('HMAC', key, encoder.encode(['whsec', ...parts].join('\n')));
  return `whsec_${base64(new Uint8Array(mac))}`;
}

const keys = new Map<string, Promise<CryptoKey>>();

/** The 32 bytes of WEBHOOK_SECRETS_KEY; a missing or malformed key is an error, never a fallback. */
function keyBytes(setting: string | undefined): Uint8Array {
  if (!setting) throw new Error('WEBHOOK_SECRETS_KEY is not set (README, "Webhooks": wrangler secret put WEBHOOK_SECRETS_KEY)');
  const raw = unbase64(setting);
  if (raw.length !== 32) throw new Error('WEBHOOK_SECRETS_KEY must be base64 of 32 bytes');
  return raw;
}

/** The AES key of WEBHOOK_SECRETS_KEY, imported once per isolate. */
function aesKey(setting: string | undefined): Promise<CryptoKey> {
  let key = keys.get(setting ?? '');
  if (!key) {
    key = crypto.subtle.importKey('raw', keyBytes(setting), 'AES-GCM', false, ['encrypt', 'decrypt']);
    keys.set(setting!, key);
  }
  return key;
}

export async function encryptSecret(secret: string, setting: string | undefined): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, await aesKey(setting), encoder.encode(secret)));
  return `v1.${base64(iv)}.${base64(sealed)}`;
}

export async function decryptSecret(stored: string, setting: string | undefined): Promise<string> {
  const [version, iv, sealed] = stored.split('.');
  if (version !== 'v1' || !iv || !sealed) throw new Error('unknown secret format');
  const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: unbase64(iv) }, await aesKey(setting), unbase64(sealed));
  return new TextDecoder().decode(plain);
}

/** The `webhook-signature` entry of one secret for a message. */
export async function sign(secret: string, id: string, timestamp: number, body: string): Promise<string> {
  const key = await crypto.subtle.importKey('raw', unbase64(secret.replace(/^whsec_/, '')), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(`${id}.${timestamp}.${body}`)));
  return `v1,${base64(mac)}`;
}
