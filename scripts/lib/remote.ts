/** The API of a deployment (`npm run dev`'s, or a deployed Worker's), for `--url` in the scripts. */
import { UsageError } from './cli.ts';

export interface Api {
  fetch(path: string, init?: RequestInit): Promise<Response>;
}

/** `--url <base>` with `--token <token>` or CUSTOMERS_API_TOKEN. */
export function apiOf(url: string, token: string | undefined): Api {
  let base: URL;
  try {
    base = new URL(url);
  } catch {
    throw new UsageError(`--url must be the API's base URL, e.g. http://127.0.0.1:8787 (got ${JSON.stringify(url)})`);
  }
  const secret = token ?? process.env.CUSTOMERS_API_TOKEN;
  if (!secret) throw new UsageError('--url needs a token of the workspace: --token <token>, or CUSTOMERS_API_TOKEN in the environment');
  return {
    fetch: (path, init = {}) =>
      fetch(new URL(path, base), { ...init, headers: { ...init.headers, Authorization: `Bearer ${secret}` } }).catch((error: Error) => {
        throw new Error(`Cannot reach ${base.origin}: ${error.message}`);
      }),
  };
}
