/**
 * The contract harness: one real `wrangler dev` per test file, and `call()`,
 * which makes a request and holds the response to public/openapi.json with a
 * third-party validator (openapi-backend, Ajv underneath). Every response a
 * suite receives is checked this way, successes and errors alike; a response
 * the document does not describe fails the test that received it, naming
 * the operation, the status, what Ajv found and the body.
 *
 * The server runs a copy of the project taken when the file starts:
 * wrangler dev restarts on every change to what it bundles, and others edit
 * src/ while suites run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020, type ErrorObject, type Options as AjvOptions } from 'ajv/dist/2020.js';
import formats from 'ajv-formats';
import { OpenAPIBackend, SetMatchType, type Operation } from 'openapi-backend';
import { afterAll, beforeAll, expect } from 'vitest';
import { bothWorkers, copyApp, freePort, putTokens, ROOT, runNode, untilReady, WRANGLER, type Issued } from '../support.ts';

export type Json = any;

export const DOCUMENT_PATH = join(ROOT, 'public', 'openapi.json');

// ---------------------------------------------------------------- the validator

/**
 * Strict on purpose: a keyword or format Ajv does not know is a compile
 * error, never a silently skipped check (openapi-backend's own default is
 * `strict: false`, which ignores both). Left out are the strict rules about
 * style, which skip nothing: `strictTypes` (a `properties` in an `allOf`
 * branch without its own `type: object` is valid JSON Schema) and
 * `strictRequired` (`required` naming a property another branch declares).
 */
export const AJV_OPTIONS: AjvOptions = { strict: true, strictTypes: false, strictRequired: false, allErrors: true, validateFormats: true };

/** Keywords OpenAPI 3.1 adds to JSON Schema (annotations for Ajv), plus the document's own `x-` extensions. */
const OAS_KEYWORDS = ['discriminator', 'xml', 'externalDocs', 'example'];

function extensionKeywords(value: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const item of value) extensionKeywords(item, found);
  else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (key.startsWith('x-')) found.add(key);
      extensionKeywords(item, found);
    }
  }
  return found;
}

/**
 * openapi-backend compiles with the draft-07 Ajv; OpenAPI 3.1's dialect is
 * JSON Schema 2020-12 (prefixItems, unevaluatedProperties, $defs...), so
 * every validator it builds comes from Ajv2020 instead, with the formats the
 * document uses (uuid, email, date-time, uri, and OpenAPI's int32...).
 */
function ajvFor(document: object) {
  const extensions = [...extensionKeywords(document)];
  return (options: AjvOptions) => {
    const ajv = new Ajv2020(options);
    // The CommonJS plugin is its own `default` (the form both Node and TypeScript agree on).
    formats.default(ajv);
    ajv.addVocabulary([...OAS_KEYWORDS, ...extensions]);
    return ajv;
  };
}

/** A request and the response it got, as the validator sees them. */
export interface Exchange {
  method: string;
  /** The path, without the query string. */
  path: string;
  status: number;
  /** Lower-cased names. */
  headers: Record<string, string>;
  text: string;
}

export class ContractError extends Error {}

interface ResponseObject {
  content?: Record<string, { schema?: object }>;
  headers?: Record<string, { required?: boolean; schema?: object }>;
}

const describeErrors = (errors: readonly ErrorObject[] | null | undefined) =>
  (errors ?? []).map((e) => `  ${e.instancePath || '(root)'} ${e.message ?? e.keyword} ${JSON.stringify(e.params)}`).join('\n');

const clip = (text: string) => (text.length > 3000 ? `${text.slice(0, 3000)}... (${text.length} characters)` : text);

/** The response object documented for a status: the status itself, else its range (`4XX`), else `default`. */
function documentedResponse(operation: Operation, status: number): [string, ResponseObject] | undefined {
  const responses = (operation.responses ?? {}) as Record<string, ResponseObject>;
  for (const key of [String(status), `${Math.floor(status / 100)}XX`, 'default']) if (responses[key]) return [key, responses[key]];
  return undefined;
}

/** The document, loaded by openapi-backend: dereferenced, and every response validator compiled up front (a schema Ajv refuses fails the load). */
export class Contract {
  readonly api: OpenAPIBackend;
  private readonly ajv: (options: AjvOptions) => Ajv2020;

  private constructor(api: OpenAPIBackend, ajv: (options: AjvOptions) => Ajv2020) {
    this.api = api;
    this.ajv = ajv;
  }

  /** `document` is copied: openapi-backend dereferences its input in place. */
  static async load(document: object): Promise<Contract> {
    const copy = structuredClone(document);
    const ajv = ajvFor(copy);
    const api = new OpenAPIBackend({
      definition: copy as never,
      // Fail closed: a document openapi-backend cannot load or dereference stops here rather than warning.
      strict: true,
      validate: true,
      ajvOpts: AJV_OPTIONS,
      customizeAjv: (_draft07, options) => ajv(options),
    });
    // Its definition check knows only the OpenAPI 3.0 schema (openapi-schema-validator, `version: 3`) and so
    // refuses every 3.1 document (jsonSchemaDialect, type arrays); the document's own lint is not this suite's.
    api.validateDefinition = () => api.document;
    await api.init();
    return new Contract(api, ajv);
  }

  operations(): Operation[] {
    return this.api.router.getOperations();
  }

  /**
   * The operation that answers a request. HEAD is the GET it asks about
   * (src/http/app.ts). A 405 answers a method the path lacks, so it is held
   * to the path's operations that document it.
   */
  private operationFor(exchange: Exchange): Operation {
    const method = exchange.method === 'HEAD' ? 'get' : exchange.method.toLowerCase();
    const matched = this.api.router.matchOperation({ method, path: exchange.path, headers: {} });
    // The router falls back to a templated path when the exact path lacks the method (GET /api/customers/create
    // would be getCustomer); the server routes by its literal path first, so a literal path's own operations win.
    const literal = this.operations().filter((o) => o.path === exchange.path);
    if (matched && (literal.length === 0 || literal.some((o) => o.operationId === matched.operationId))) return matched;
    if (exchange.status === 405) {
      const candidates = literal.length ? literal : this.samePath(exchange.path);
      const documenting = candidates.find((o) => documentedResponse(o, 405));
      if (documenting) return documenting;
      throw new ContractError(`${exchange.method} ${exchange.path} -> 405, which no operation of ${candidates[0]?.path ?? 'this path'} documents`);
    }
    throw new ContractError(`${exchange.method} ${exchange.path} (status ${exchange.status}) matches no operation of the document`);
  }

  /** The operations whose path template matches `path`, whatever their method. */
  private samePath(path: string): Operation[] {
    for (const method of ['get', 'post', 'put', 'patch', 'delete']) {
      const found = this.api.router.matchOperation({ method, path, headers: {} });
      if (found) return this.operations().filter((o) => o.path === found.path);
    }
    return [];
  }

  /** Validates the exchange; throws a ContractError saying what does not match. Returns the operation's id. */
  check(exchange: Exchange): string {
    const operation = this.operationFor(exchange);
    const id = operation.operationId!;
    const where = `${id} (${exchange.method} ${exchange.path}) ${exchange.status}`;
    const fail = (what: string, errors?: readonly ErrorObject[] | null): never => {
      throw new ContractError(`${where}: ${what}${errors ? `\n${describeErrors(errors)}` : ''}\nbody: ${clip(exchange.text)}`);
    };
    const documented = documentedResponse(operation, exchange.status);
    if (!documented) return fail(`status not documented (documented: ${Object.keys(operation.responses ?? {}).join(', ')})`);
    const [, response] = documented;

    const headers = this.api.validateResponseHeaders(exchange.headers, operation, { statusCode: exchange.status, setMatchType: SetMatchType.Any });
    if (!headers.valid) fail('response headers do not match', headers.errors);
    for (const [name, header] of Object.entries(response.headers ?? {})) {
      if (header.required && exchange.headers[name.toLowerCase()] === undefined) fail(`required header ${name} is missing`);
    }

    const content = response.content ?? {};
    const bodiless = exchange.method === 'HEAD' || exchange.status === 304 || exchange.status === 204;
    if (bodiless || Object.keys(content).length === 0) {
      if (exchange.text !== '') fail(bodiless ? 'a body where HTTP allows none' : 'a body, where the document describes none');
      return id;
    }
    const type = (exchange.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    const media = content[type];
    if (!media) return fail(`Content-Type ${type || '(none)'} not documented (documented: ${Object.keys(content).join(', ')})`);
    if (!media.schema) return id;
    if (type === 'application/json') {
      let body: unknown;
      try {
        body = JSON.parse(exchange.text);
      } catch {
        return fail('the body is not JSON');
      }
      const result = this.api.validateResponse(body, operation, exchange.status);
      if (!result.valid) fail('the body does not match its schema', result.errors);
    } else {
      // A body that is not JSON is one value, its text (the document describes NDJSON as a string).
      const validate = this.ajv(AJV_OPTIONS).compile(media.schema);
      if (!validate(exchange.text)) fail('the body does not match its schema', validate.errors);
    }
    return id;
  }
}

export const readDocument = (): Json => JSON.parse(readFileSync(DOCUMENT_PATH, 'utf8'));

// ---------------------------------------------------------------- the server

export type { Issued };

/**
 * Tokens the suites use: `write` (scopes read and write), `read` and
 * `writeOnly` in workspace A, `other` in workspace B (isolation), `expired`
 * (A's, past its expiry), `full` in a workspace of its own (the webhook
 * endpoint limit fills it up).
 */
export const TOKENS = ['write', 'read', 'writeOnly', 'other', 'expired', 'full'] as const;
export type TokenName = (typeof TOKENS)[number];

interface Running {
  child: ChildProcess;
  base: string;
  output: string;
  state: string;
  tokens: Record<TokenName, Issued>;
  receiver: Server;
  receiverBase: string;
}
let server: Running | undefined;
let contract: Contract | undefined;

/** The running server; fails when used outside a file that called `serve()`. */
function current(): Running {
  if (!server) throw new Error('no server: call serve() at the top of the test file');
  return server;
}

export const tokens = () => current().tokens;
export const receiverUrl = (path: string) => `${current().receiverBase}${path}`;

/** The suites' tokens; `expired` was issued two days ago for one day. */
function issueTokens(state: string, app: string): Promise<Record<TokenName, Issued>> {
  const a = randomUUID();
  const expired = { expiresInDays: 1, now: Date.now() - 2 * 86_400_000 };
  const specs: Record<TokenName, Parameters<typeof putTokens>[2][string]> = {
    write: { workspaceId: a },
    read: { workspaceId: a, scopes: ['read'] },
    writeOnly: { workspaceId: a, scopes: ['write'] },
    other: { workspaceId: randomUUID() },
    expired: { workspaceId: a, ...expired },
    full: { workspaceId: randomUUID() },
  };
  for (const name of TOKENS) specs[name].name = `contract-${name}`;
  return putTokens(app, state, specs);
}

/** A webhook receiver that takes every delivery, so that deliveries succeed and their rows can be listed. */
function startReceiver(): Promise<Server> {
  const receiver = createServer((request, response) => {
    request.resume();
    request.on('end', () => response.writeHead(204).end());
  });
  return new Promise((resolve) => receiver.listen(0, '127.0.0.1', () => resolve(receiver)));
}

async function start(): Promise<Running> {
  const state = mkdtempSync(join(tmpdir(), 'customers-worker-contract-'));
  const app = join(state, 'app');
  copyApp(app);
  const migrated = await runNode([WRANGLER, 'd1', 'migrations', 'apply', 'DB', '--local', '--persist-to', state], '', app);
  expect(migrated.status, migrated.stderr).toBe(0);
  const issued = await issueTokens(state, app);
  const receiver = await startReceiver();
  const receiverBase = `http://127.0.0.1:${(receiver.address() as { port: number }).port}`;
  const [http, inspector] = [await freePort(), await freePort()];
  const vars = { WEBHOOK_SECRETS_KEY: randomBytes(32).toString('base64'), WEBHOOK_ALLOW_LOCAL_TARGETS: 'true' };
  // An inspector port of its own: left to itself, wrangler takes 9229, which another suite's server may hold.
  const args = ['dev', ...bothWorkers(app, String(http), vars), '--ip', '127.0.0.1', '--port', String(http), '--inspector-port', String(inspector), '--persist-to', state];
  for (const [name, value] of Object.entries(vars)) args.push('--var', `${name}:${value}`);
  const child = spawn(process.execPath, [WRANGLER, ...args], {
    cwd: app,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', FORCE_COLOR: '0' },
  });
  const started: Running = { child, base: `http://127.0.0.1:${http}`, output: '', state, tokens: issued, receiver, receiverBase };
  server = started;
  await untilReady(child, started);
  return started;
}

async function stop() {
  const running = server;
  if (!running) return;
  const { child } = running;
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill();
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
  }
  running.receiver.closeAllConnections();
  await new Promise((resolve) => running.receiver.close(resolve));
  rmSync(running.state, { recursive: true, force: true });
  server = undefined;
}

/** Starts the file's server (and loads the document) before its tests, stops it after them. */
export function serve() {
  beforeAll(async () => {
    contract = await Contract.load(readDocument());
    await start();
  }, 180_000);
  afterAll(stop, 30_000);
}

export const loadedContract = () => {
  if (!contract) throw new Error('no contract: call serve() at the top of the test file');
  return contract;
};

// ---------------------------------------------------------------- calls

/** Per operationId, the statuses it answered (`HEAD 200` for a HEAD). */
export const coverage = new Map<string, Set<string>>();

export interface CallOptions {
  /** A JSON value (sent as application/json), or text sent as it is. */
  body?: unknown;
  headers?: Record<string, string>;
  /** A token's name or the token itself; `null` sends no Authorization header. Default: `write`. */
  token?: TokenName | string | null;
  query?: Record<string, string | number | boolean>;
}

export interface Reply {
  status: number;
  headers: Record<string, string>;
  text: string;
  /** The JSON body, when there is one. */
  body: Json;
  operationId: string;
  exchange: Exchange;
}

/** The request, made for real, without holding its response to the document (the mismatch suite alters it first). */
export async function send(method: string, path: string, options: CallOptions = {}): Promise<Exchange> {
  const { base, tokens: issued } = current();
  const headers: Record<string, string> = {};
  const token = options.token === undefined ? 'write' : options.token;
  if (token !== null) headers.Authorization = `Bearer ${token in issued ? issued[token as TokenName].token : token}`;
  let body: string | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    headers['Content-Type'] = 'application/json';
  }
  Object.assign(headers, options.headers);
  const query = new URLSearchParams(Object.entries(options.query ?? {}).map(([k, v]) => [k, String(v)])).toString();
  const response = await fetch(`${base}${path}${query ? `?${query}` : ''}`, { method, headers, body, signal: AbortSignal.timeout(30_000) });
  const received: Record<string, string> = {};
  response.headers.forEach((value, name) => (received[name] = value));
  return { method, path, status: response.status, headers: received, text: await response.text() };
}

/** Makes the request and validates its response against the document; records the status under the operation. */
export async function call(method: string, path: string, options: CallOptions = {}): Promise<Reply> {
  const exchange = await send(method, path, options);
  const operationId = loadedContract().check(exchange);
  const statuses = coverage.get(operationId) ?? new Set<string>();
  statuses.add(method === 'HEAD' ? `HEAD ${exchange.status}` : String(exchange.status));
  coverage.set(operationId, statuses);
  let body: Json;
  if (exchange.text !== '' && (exchange.headers['content-type'] ?? '').startsWith('application/json')) body = JSON.parse(exchange.text);
  return { status: exchange.status, headers: exchange.headers, text: exchange.text, body, operationId, exchange };
}

/** A call that must answer `status` (the message shows the body when it does not). */
export async function expectStatus(status: number, method: string, path: string, options?: CallOptions): Promise<Reply> {
  const reply = await call(method, path, options);
  expect(reply.status, `${method} ${path}: ${reply.text}`).toBe(status);
  return reply;
}

/**
 * Fails unless every operation of the document tagged `tag` was called with
 * at least one success (2xx) and one error (4xx/5xx). Returns the table.
 */
export function expectCoverage(tag: string): Record<string, string[]> {
  const operations = loadedContract()
    .operations()
    .filter((o) => (o.tags ?? []).includes(tag));
  expect(operations.length, `operations tagged ${tag}`).toBeGreaterThan(0);
  const table: Record<string, string[]> = {};
  const missing: string[] = [];
  for (const operation of operations) {
    const id = operation.operationId!;
    const seen = [...(coverage.get(id) ?? [])].sort();
    table[id] = seen;
    if (!seen.some((s) => /^2/.test(s))) missing.push(`${id}: no success`);
    if (!seen.some((s) => /^[45]/.test(s))) missing.push(`${id}: no error`);
  }
  expect(missing, JSON.stringify(table, null, 1)).toEqual([]);
  return table;
}

// ---------------------------------------------------------------- fixtures

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
export const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
/** A well-formed id no record has. */
export const MISSING_ID = '01900000-0000-7000-8000-000000000000';

/** Creates a record through the canonical API (validated like any call) and returns it with its ETag. */
export async function create(path: string, body: Json, token: TokenName = 'write'): Promise<Json & { etag: string }> {
  const reply = await expectStatus(201, 'POST', path, { body, token });
  return { ...reply.body.data, etag: reply.headers.etag };
}

let serial = 0;
/** A name no other record of the run has. */
export const unique = (prefix: string) => `${prefix} ${process.pid}-${++serial}`;

export const newSegment = (token?: TokenName) => create('/api/segments', { name: unique('Segment'), reference: 'SEG' }, token);
export const newCustomer = (extra: Json = {}, token?: TokenName) => create('/api/customers', { name: unique('Customer'), type: 'company', ...extra }, token);
export const newContact = (customerId: string, extra: Json = {}) =>
  create('/api/contacts', { customer_id: customerId, first_name: 'Ada', last_name: 'Lovelace', email: 'ada@example.com', ...extra });
export const newAddress = (customerId: string, extra: Json = {}) =>
  create('/api/addresses', { customer_id: customerId, type: 'billing', address_line1: '1 Rue de Rivoli', city: 'Paris', postal_code: '75001', country: 'FR', ...extra });

/**
 * Each [method, path, Allow] must answer 405 with that Allow header and a body
 * `check` accepts; every case is tried, and all that fail are reported together.
 */
export async function expectMethodsNotAllowed(cases: [string, string, string][], check: (reply: Reply) => void) {
  const problems: string[] = [];
  for (const [method, path, allow] of cases) {
    try {
      const reply = await call(method, path, method === 'GET' || method === 'DELETE' ? {} : { body: {} });
      expect(reply.status, reply.text).toBe(405);
      expect(reply.headers.allow).toBe(allow);
      check(reply);
    } catch (error) {
      problems.push(`${method} ${path}: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  expect(problems).toEqual([]);
}

/**
 * Each [method, path] of a read route, called with a token that has only the
 * `write` scope (`npm run token -- create --scopes write`), must answer 403
 * with a body `check` accepts; all that fail are reported together.
 */
export async function expectReadScopeRequired(cases: [string, string, unknown?][], check: (reply: Reply) => void) {
  const problems: string[] = [];
  for (const [method, path, body] of cases) {
    try {
      const reply = await call(method, path, { token: 'writeOnly', body });
      expect(reply.status, reply.text).toBe(403);
      check(reply);
    } catch (error) {
      problems.push(`${method} ${path}: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  expect(problems).toEqual([]);
}
