/**
 * A typed client for this API: openapi-fetch over the paths of
 * public/openapi.json (client/schema.d.ts, both made by `npm run openapi`), so
 * a path, parameter or field the document lacks is a compile error, and every
 * call resolves to `{ data, response }` or `{ error, response }`, each typed
 * by the status codes the operation declares.
 *
 *   const api = createCustomersClient({ baseUrl: 'https://customers.example.com', token });
 *   const { data, error } = await api.GET('/api/customers/{id}', { params: { path: { id } } });
 *
 * Response headers are not typed by openapi-fetch: read the ETag (for
 * If-Match) from `response.headers`.
 */
import createClient, {
  type Client,
  type ClientOptions,
  type ClientPathsWithMethod,
  type FetchResponse,
  type MaybeOptionalInit,
} from 'openapi-fetch';
import type { components, operations, paths } from './schema.d.ts';

export type { components, operations, paths };

type Schemas = components['schemas'];
export type Customer = Schemas['Customer'];
/** A customer as its GET shows it: with its contact and address ids. */
export type CustomerDetail = Schemas['CustomerDetail'];
export type CustomerCreate = Schemas['CustomerCreate'];
export type CustomerUpdate = Schemas['CustomerUpdate'];
export type Contact = Schemas['Contact'];
export type Address = Schemas['Address'];
export type Segment = Schemas['Segment'];
export type Event = Schemas['Event'];
export type WebhookEndpoint = Schemas['WebhookEndpoint'];
/** The canonical error body (`code`, and `issues` naming each field on a 400). */
export type ApiError = Schemas['Error'];
export type Issue = Schemas['Issue'];

type Method = 'get' | 'put' | 'post' | 'patch' | 'delete';
type Operation<P extends keyof paths, M extends Method> = paths[P][M] extends infer O extends Record<string, unknown> ? O : never;
type Init<P extends keyof paths, M extends Method> = MaybeOptionalInit<paths[P], M>;
/**
 * openapi-fetch's own signature infers the request options from the argument
 * and then only checks them structurally, so a misspelt optional field of a
 * body or query (`{ legal_nmae: null }` in a PATCH) compiles and is sent
 * (openapi-typescript issues #1769, #2329). Typed by the operation instead,
 * the argument gets TypeScript's excess-property check. The price: `parseAs`
 * no longer changes the type of `data` (JSON, as every route here answers).
 */
type Call<M extends Method> = <P extends ClientPathsWithMethod<Client<paths>, M>>(
  url: P,
  ...init: undefined extends Init<P, M> ? [init?: Init<P, M>] : [init: Init<P, M>]
) => Promise<FetchResponse<Operation<P, M>, Init<P, M>, `${string}/${string}`>>;

export type CustomersClient = Omit<Client<paths>, 'GET' | 'PUT' | 'POST' | 'PATCH' | 'DELETE'> & {
  GET: Call<'get'>;
  PUT: Call<'put'>;
  POST: Call<'post'>;
  PATCH: Call<'patch'>;
  DELETE: Call<'delete'>;
};

export interface CustomersClientOptions {
  /** The Worker's origin, without `/api` (every path starts with it). */
  baseUrl: string;
  /** An API token, as `npm run token -- create` prints it. */
  token: string;
  /** Instead of the global fetch (tests, proxies). */
  fetch?: ClientOptions['fetch'];
}

export function createCustomersClient({ baseUrl, token, fetch }: CustomersClientOptions): CustomersClient {
  const client = createClient<paths>({ baseUrl, ...(fetch ? { fetch } : {}) });
  const origin = new URL(baseUrl).origin;
  // A middleware rather than default headers: openapi-fetch lets a single call
  // pass its own `baseUrl`, and the token must not follow it to another origin.
  client.use({
    onRequest({ request }) {
      if (new URL(request.url).origin === origin) request.headers.set('Authorization', `Bearer ${token}`);
    },
  });
  // The same object: only the methods' signatures are narrower (above).
  return client as unknown as CustomersClient;
}
