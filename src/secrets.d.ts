/** Worker secrets (`wrangler secret put`), which wrangler types cannot see in wrangler.toml. */
interface Env {
  /** Base64 of 32 random bytes: the AES-GCM key of webhook signing secrets at rest (src/lib/secrets.ts). */
  WEBHOOK_SECRETS_KEY?: string;
}
