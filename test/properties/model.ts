/**
 * A model of two workspaces' records, and the runner that applies random
 * operations over every resource and all three APIs to the API and to the
 * model at once (test/properties/workspaces.test.ts). Every request goes
 * through Runner.req(), which asserts what holds whatever the operation:
 * never a 5xx, the API's success or error shape, a 4xx changes nothing, the
 * other workspace's rows never change and nothing of it leaks.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import { dialectOf, expectErrorShape, type NormalError } from '../errors';
import { addressBody, contactBody } from '../fixtures';
import { api, type ApiResponse } from '../helpers';
import { expectSuccess, type SuccessKind } from './shapes';
import { snapshots } from './world';

export type Who = 0 | 1;
export type Resource = 'segments' | 'customers' | 'contacts' | 'addresses';

export interface Customer {
  name: string;
  segment_id: string | null;
  bill_to_customer_id: string | null;
  number: number;
  source: [string, string] | null;
}
export interface Model {
  tag: string;
  token: string;
  workspaceId: string;
  segments: Map<string, { name: string }>;
  customers: Map<string, Customer>;
  contacts: Map<string, { customer_id: string; first_name: string }>;
  addresses: Map<string, { customer_id: string; contact_id: string | null; city: string }>;
  /** The workspace's customer-number counter (never reused). */
  counter: number;
  serial: number;
}

/** Which record a request names: one of the caller's, one of the other workspace's, or none at all. */
export type RefKind = 'own' | 'other' | 'missing';
export interface Ref {
  kind: RefKind;
  pick: number;
}

const ref = fc.record({ kind: fc.constantFrom<RefKind>('own', 'own', 'own', 'other', 'other', 'missing'), pick: fc.nat() });
const optRef = fc.option(ref, { nil: undefined, freq: 2 });
const who = fc.constantFrom<Who>(0, 1);
const resource = fc.constantFrom<Resource>('segments', 'customers', 'contacts', 'addresses');

export const op = fc.oneof(
  fc.record({ op: fc.constant('createSegment' as const), who }),
  { weight: 3, arbitrary: fc.record({
    op: fc.constant('createCustomer' as const),
    who,
    via: fc.constantFrom('canonical', 'ambiosys', 'upwell', 'bulk'),
    segment: optRef,
    billTo: optRef,
    source: fc.constantFrom('none', 'none', 'fresh', 'ownPair', 'otherPair'),
    count: fc.integer({ min: 1, max: 3 }),
  }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('createContact' as const), who, customer: ref }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('createAddress' as const), who, customer: ref, contact: optRef }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('get' as const), who, resource, target: ref, via: fc.constantFrom('canonical', 'upwell', 'ambiosys') }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('patch' as const), who, resource, target: ref, segment: optRef, via: fc.constantFrom('canonical', 'upwell') }) },
  fc.record({ op: fc.constant('putBySource' as const), who, pair: fc.constantFrom<RefKind>('own', 'other', 'missing'), pick: fc.nat() }),
  { weight: 2, arbitrary: fc.record({ op: fc.constant('delete' as const), who, resource, target: ref }) },
  fc.record({ op: fc.constant('list' as const), who, resource, filter: fc.constantFrom('none', 'other', 'own') }),
  fc.record({ op: fc.constant('listCompat' as const), who, via: fc.constantFrom('ambiosys', 'upwell', 'search'), probe: ref }),
);
export type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;

const own: Ref = { kind: 'own', pick: 0 };
/** Every run starts from a few records in each workspace (through the same modelled steps). */
export const SEED: Op[] = ([0, 1] as Who[]).flatMap((who): Op[] => [
  { op: 'createSegment', who },
  { op: 'createCustomer', who, via: 'canonical', segment: own, billTo: undefined, source: 'fresh', count: 1 },
  { op: 'createCustomer', who, via: who === 0 ? 'ambiosys' : 'upwell', segment: undefined, billTo: own, source: 'none', count: 1 },
  { op: 'createContact', who, customer: own },
  { op: 'createAddress', who, customer: own, contact: own },
]);

const missingId = () => crypto.randomUUID();

/** Two empty models for two fresh workspaces. */
export function newModels(ws: { token: string; workspaceId: string }[]): [Model, Model] {
  return [0, 1].map((i) => ({
    tag: `ws${i}x${crypto.randomUUID().slice(0, 8)}`,
    token: ws[i]!.token,
    workspaceId: ws[i]!.workspaceId,
    segments: new Map(),
    customers: new Map(),
    contacts: new Map(),
    addresses: new Map(),
    counter: 0,
    serial: 0,
  })) as [Model, Model];
}

export interface Sent {
  res: ApiResponse;
  error?: NormalError;
}

export class Runner {
  constructor(private readonly m: [Model, Model]) {}

  /**
   * One request by workspace `w`: never a 5xx; success shape or error shape
   * of the API addressed; a 4xx changes nothing at all; the other
   * workspace's rows never change; nothing of the other workspace (ids, tag)
   * appears in the answer unless the request itself carried it.
   */
  async req(w: Who, method: string, path: string, body: unknown, kind: SuccessKind, where: string): Promise<Sent> {
    const me = this.m[w];
    const other = this.m[1 - w]!;
    const [b0, b1] = await snapshots(me.workspaceId, other.workspaceId);
    const upwell = path.startsWith('/api/rest/');
    const res = await api(method, path, upwell ? { authorization: me.token, body } : { token: me.token, body });
    const [a0, a1] = await snapshots(me.workspaceId, other.workspaceId);
    const at = `${where}: ${method} ${path} ${JSON.stringify(body) ?? ''} -> ${res.status} ${JSON.stringify(res.body)?.slice(0, 500)}`;
    expect(res.status, at).toBeLessThan(500);
    expect(a1, `${at}: the other workspace's rows changed`).toEqual(b1);
    const sent = `${path} ${JSON.stringify(body) ?? ''}`;
    const text = JSON.stringify(res.body) ?? '';
    for (const secret of [other.tag, ...other.segments.keys(), ...other.customers.keys(), ...other.contacts.keys(), ...other.addresses.keys()]) {
      if (!sent.includes(secret)) expect(text.includes(secret), `${at}: leaked ${secret}`).toBe(false);
    }
    if (res.status < 300) {
      expectSuccess(kind, res, me.workspaceId, at, body);
      return { res };
    }
    const error = expectErrorShape(res, dialectOf(path.split('?')[0]!), at);
    expect(a0, `${at}: a ${res.status} changed the caller's rows`).toEqual(b0);
    return { res, error };
  }

  /** The id a Ref names. */
  pick<T>(w: Who, r: Ref, map: (m: Model) => Map<string, T>): { id: string; kind: RefKind } {
    const source = r.kind === 'missing' ? undefined : map(this.m[r.kind === 'own' ? w : 1 - w]!);
    if (!source || source.size === 0) return { id: missingId(), kind: 'missing' };
    return { id: [...source.keys()][r.pick % source.size]!, kind: r.kind };
  }

  /** Another workspace's record must answer exactly like a missing one: same request with a random missing id. */
  async sameAsMissing(w: Who, got: Sent, method: string, path: (id: string) => string, body: unknown, kind: SuccessKind, where: string) {
    const missing = await this.req(w, method, path(missingId()), body, kind, `${where} (missing twin)`);
    expect(got.res.status, where).toBe(missing.res.status);
    expect(got.error, `${where}: differs from a missing id`).toEqual(missing.error);
  }

  name(w: Who, what: string): string {
    const me = this.m[w];
    return `${me.tag}-${what}${++me.serial}`;
  }

  async step(o: Op, where: string): Promise<void> {
    const w = o.who;
    const me = this.m[w];
    switch (o.op) {
      case 'createSegment': {
        const name = this.name(w, 's');
        const { res } = await this.req(w, 'POST', '/api/segments', { name }, 'canonical.create', where);
        expect(res.status, where).toBe(201);
        me.segments.set(res.body.data.id, { name });
        return;
      }
      case 'createCustomer':
        return this.createCustomer(o, where);
      case 'createContact': {
        const customer = this.pick(w, o.customer, (m) => m.customers);
        const first_name = this.name(w, 'p');
        const body = contactBody(customer.id, { first_name });
        const got = await this.req(w, 'POST', '/api/contacts', body, 'canonical.create', where);
        if (customer.kind === 'own') {
          expect(got.res.status, where).toBe(201);
          me.contacts.set(got.res.body.data.id, { customer_id: customer.id, first_name });
        } else {
          expectInvalidReference(got, 'customer_id', where);
          if (customer.kind === 'other') await this.sameRefAsMissing(w, got, 'POST', '/api/contacts', body, 'customer_id', 'canonical.create', where);
        }
        return;
      }
      case 'createAddress': {
        const customer = this.pick(w, o.customer, (m) => m.customers);
        const contact = o.contact ? this.pick(w, o.contact, (m) => m.contacts) : undefined;
        const city = this.name(w, 'city');
        const body = addressBody(customer.id, { contact_id: contact?.id ?? null, city });
        const got = await this.req(w, 'POST', '/api/addresses', body, 'canonical.create', where);
        const contactOk = !contact || (contact.kind === 'own' && me.contacts.get(contact.id)!.customer_id === customer.id);
        if (customer.kind === 'own' && contactOk) {
          expect(got.res.status, where).toBe(201);
          me.addresses.set(got.res.body.data.id, { customer_id: customer.id, contact_id: contact?.id ?? null, city });
          return;
        }
        // A contact that is not the customer's (the customer itself bad included) is the one named; else the customer.
        expectInvalidReference(got, contactOk ? 'customer_id' : 'contact_id', where);
        // Both references the other workspace's: compared with both replaced by the substitution property below.
        if (customer.kind === 'other' && contact?.kind === 'other') return;
        if (customer.kind === 'other') await this.sameRefAsMissing(w, got, 'POST', '/api/addresses', body, 'customer_id', 'canonical.create', where);
        else if (contact?.kind === 'other') await this.sameRefAsMissing(w, got, 'POST', '/api/addresses', body, 'contact_id', 'canonical.create', where);
        return;
      }
      case 'get':
        return this.get(o, where);
      case 'patch':
        return this.patch(o, where);
      case 'putBySource': {
        const pairs = (m: Model) => [...m.customers.entries()].filter(([, c]) => c.source);
        const mine = pairs(me);
        const theirs = pairs(this.m[1 - w]!);
        const list = o.pair === 'own' ? mine : o.pair === 'other' ? theirs : [];
        const target = list.length ? list[o.pick % list.length]! : undefined;
        const [sourceSystem, sourceSystemId] = target ? target[1].source! : ['erp', missingId()];
        const name = this.name(w, 'put');
        const got = await this.req(w, 'PUT', '/api/rest/customers', { sourceSystem, sourceSystemId, input: { name } }, 'upwell.putSource', where);
        expect(got.res.status, where).toBe(200);
        // Only the caller's customer with that pair (it may have taken the other workspace's pair too) is updated.
        const own = mine.find(([, c]) => c.source![0] === sourceSystem && c.source![1] === sourceSystemId);
        expect(got.res.body.updateCustomer.affectedRows, where).toBe(own ? 1 : 0);
        if (own) {
          expect(got.res.body.updateCustomer.returning[0].id, where).toBe(own[0]);
          own[1].name = name;
        }
        return;
      }
      case 'delete':
        return this.delete(o, where);
      case 'list':
        return this.list(o, where);
      case 'listCompat':
        return this.listCompat(o, where);
    }
  }

  /** A reference to the other workspace's record is the very same 400 as a reference to a missing id. */
  async sameRefAsMissing(w: Who, got: Sent, method: string, path: string, body: Record<string, unknown>, field: string, kind: SuccessKind, where: string) {
    const twin = await this.req(w, method, path, setPath(body, field, missingId()), kind, `${where} (missing reference twin)`);
    expect(got.res.status, where).toBe(twin.res.status);
    expect(got.error, `${where}: differs from a missing reference`).toEqual(twin.error);
  }

  async createCustomer(o: Extract<Op, { op: 'createCustomer' }>, where: string) {
    const w = o.who;
    const me = this.m[w];
    const segment = o.segment && (o.via === 'canonical' ? this.pick(w, o.segment, (m) => m.segments) : undefined);
    const billTo = o.billTo && o.via !== 'ambiosys' ? this.pick(w, o.billTo, (m) => m.customers) : undefined;
    const withPair = (m: Model) => [...m.customers.values()].filter((c) => c.source);
    let source: [string, string] | null = null;
    if (o.via !== 'ambiosys') {
      const mine = withPair(me);
      const theirs = withPair(this.m[1 - w]!);
      if (o.source === 'fresh' || (o.source === 'ownPair' && !mine.length) || (o.source === 'otherPair' && !theirs.length)) source = ['erp', `src-${crypto.randomUUID().slice(0, 13)}`]; // no tag: the other workspace may reuse it as its own data
      else if (o.source === 'ownPair') source = mine[0]!.source;
      else if (o.source === 'otherPair') source = theirs[0]!.source;
    }
    const duplicate = source !== null && withPair(me).some((c) => c.source![0] === source![0] && c.source![1] === source![1]);
    const badRef = (segment && segment.kind !== 'own') || (billTo && billTo.kind !== 'own');
    const names = Array.from({ length: o.via === 'bulk' ? o.count : 1 }, () => this.name(w, 'c'));
    let method = 'POST';
    let path: string;
    let body: Record<string, unknown>;
    let kind: SuccessKind;
    const upwellInput = (name: string, i: number) => ({
      name,
      ...(i === 0 && billTo ? { billToCustomerId: billTo.id } : {}),
      ...(i === 0 && source ? { sourceSystem: source[0], sourceSystemId: source[1] } : {}),
    });
    switch (o.via) {
      case 'canonical':
        path = '/api/customers';
        kind = 'canonical.create';
        body = {
          name: names[0],
          type: 'company',
          ...(segment ? { segment_id: segment.id } : {}),
          ...(billTo ? { bill_to_customer_id: billTo.id } : {}),
          ...(source ? { source_system: source[0], source_system_id: source[1] } : {}),
        };
        break;
      case 'ambiosys':
        path = '/api/customers/create';
        kind = 'ambiosys.create';
        body = { name: names[0] };
        break;
      case 'upwell':
        path = '/api/rest/customers';
        kind = 'upwell.create';
        body = { input: upwellInput(names[0]!, 0) };
        break;
      default:
        path = '/api/rest/bulk-customers';
        kind = 'upwell.bulk';
        body = { inputs: names.map(upwellInput) };
    }
    const got = await this.req(w, method, path, body, kind, where);
    if (badRef) {
      // An invalid reference (the other workspace's or a missing id): 400 naming it, identical for both.
      // With both bad, the bill-to customer is the one named (its check runs first); Upwell names it billToCustomerId.
      expect(got.res.status, where).toBe(400);
      const field = billTo && billTo.kind !== 'own' ? 'bill_to_customer_id' : 'segment_id';
      expect(got.error!.paths, `${where}: ${JSON.stringify(got.error)}`).toEqual([o.via === 'canonical' ? field : 'billToCustomerId']);
      expect(got.error!.code, where).toBe(o.via === 'canonical' ? 'invalid_reference' : 'VALIDATION_ERROR');
      const twinBody = structuredClone(body);
      if (segment?.kind === 'other') (twinBody as Record<string, unknown>).segment_id = missingId();
      if (billTo?.kind === 'other') {
        if (o.via === 'canonical') twinBody.bill_to_customer_id = missingId();
        else if (o.via === 'upwell') (twinBody.input as Record<string, unknown>).billToCustomerId = missingId();
        else ((twinBody.inputs as Record<string, unknown>[])[0]!).billToCustomerId = missingId();
      }
      if (segment?.kind === 'other' || billTo?.kind === 'other') {
        const twin = await this.req(w, method, path, twinBody, kind, `${where} (missing reference twin)`);
        expect(got.error, `${where}: differs from a missing reference`).toEqual(twin.error);
      }
      return;
    }
    if (duplicate) {
      // The caller's own pair: 409. (The other workspace's pair is no conflict: see otherPair.)
      expect(got.res.status, where).toBe(409);
      return;
    }
    expect(got.res.status, where).toBe(o.via === 'canonical' || o.via === 'ambiosys' ? 201 : 200);
    const created: { id?: string; number?: number }[] =
      o.via === 'canonical'
        ? [got.res.body.data]
        : o.via === 'ambiosys'
          ? [{ number: got.res.body.customer.customer_id }]
          : o.via === 'upwell'
            ? [got.res.body.createCustomer]
            : got.res.body.createCustomers.returning;
    expect(created.length, where).toBe(names.length);
    for (const [i, c] of created.entries()) {
      const number = ++me.counter;
      if (c.number !== undefined) expect(c.number, `${where}: customer number`).toBe(number);
      let id = c.id;
      if (id === undefined) {
        // AmbioSys answers with the number only: find the id through the canonical list.
        const list = await this.req(w, 'GET', '/api/customers?limit=100', undefined, 'canonical.list', `${where} (find id)`);
        id = list.res.body.data.find((x: { number: number }) => x.number === number)?.id;
        expect(id, `${where}: customer number ${number} not listed`).toBeDefined();
      }
      me.customers.set(id!, {
        name: names[i]!,
        segment_id: segment?.id ?? null,
        bill_to_customer_id: i === 0 ? (billTo?.id ?? null) : null,
        number,
        source: i === 0 ? source : null,
      });
    }
  }

  async get(o: Extract<Op, { op: 'get' }>, where: string) {
    const w = o.who;
    const me = this.m[w];
    if (o.via === 'ambiosys') {
      // By number: the caller's own number, or one only the other workspace has.
      const own = [...me.customers.values()].map((c) => c.number);
      const theirs = [...this.m[1 - w]!.customers.values()].map((c) => c.number).filter((n) => !own.includes(n));
      const list = o.target.kind === 'own' ? own : o.target.kind === 'other' ? theirs : [];
      const n = list.length ? list[o.target.pick % list.length]! : 987_654_321;
      const path = (x: number | string) => `/api/customers/getCustomers/${x}`;
      const got = await this.req(w, 'GET', path(n), undefined, 'ambiosys.get', where);
      if (list.length && o.target.kind === 'own') {
        expect(got.res.status, where).toBe(200);
        const c = [...me.customers.values()].find((x) => x.number === n)!;
        expect(got.res.body.cliente, where).toMatchObject({ customer_id: n, name: c.name });
        return;
      }
      expect(got.res.status, where).toBe(404);
      const twin = await this.req(w, 'GET', path(987_654_321), undefined, 'ambiosys.get', `${where} (missing twin)`);
      expect(got.error, where).toEqual(twin.error);
      return;
    }
    const upwell = o.via === 'upwell';
    const res: Resource = upwell ? 'customers' : o.resource;
    const target = this.pick(w, o.target, (m) => m[res] as Map<string, unknown>);
    const path = (id: string) => (upwell ? `/api/rest/customers/${id}` : `/api/${res}/${id}`);
    const kind: SuccessKind = upwell ? 'upwell.get' : 'canonical.get';
    const got = await this.req(w, 'GET', path(target.id), undefined, kind, where);
    if (target.kind === 'own') {
      expect(got.res.status, where).toBe(200);
      const record = upwell ? got.res.body.customer : got.res.body.data;
      expect(record.id, where).toBe(target.id);
      if (upwell) expect(record.name, where).toBe(me.customers.get(target.id)!.name);
      else expect(record, where).toMatchObject(expected(me, res, target.id));
      return;
    }
    expect(got.res.status, where).toBe(404);
    if (target.kind === 'other') await this.sameAsMissing(w, got, 'GET', path, undefined, kind, where);
  }

  async patch(o: Extract<Op, { op: 'patch' }>, where: string) {
    const w = o.who;
    const me = this.m[w];
    const upwell = o.via === 'upwell';
    const res: Resource = upwell ? 'customers' : o.resource;
    const target = this.pick(w, o.target, (m) => m[res] as Map<string, unknown>);
    const value = this.name(w, 'n');
    const field = { segments: 'name', customers: 'name', contacts: 'first_name', addresses: 'city' }[res];
    const segment = res === 'customers' && !upwell && o.segment ? this.pick(w, o.segment, (m) => m.segments) : undefined;
    const body = upwell ? { input: { name: value } } : { [field]: value, ...(segment ? { segment_id: segment.id } : {}) };
    const path = (id: string) => (upwell ? `/api/rest/customers/${id}` : `/api/${res}/${id}`);
    const method = upwell ? 'PUT' : 'PATCH';
    const kind: SuccessKind = upwell ? 'upwell.putId' : 'canonical.update';
    const got = await this.req(w, method, path(target.id), body, kind, where);
    if (target.kind !== 'own') {
      expect(got.res.status, where).toBe(404);
      if (target.kind === 'other') await this.sameAsMissing(w, got, method, path, body, kind, where);
      return;
    }
    if (segment && segment.kind !== 'own') {
      expectInvalidReference(got, 'segment_id', where);
      if (segment.kind === 'other') await this.sameRefAsMissing(w, got, method, path(target.id), body, 'segment_id', kind, where);
      return;
    }
    expect(got.res.status, where).toBe(200);
    const record = (me[res] as Map<string, Record<string, unknown>>).get(target.id)!;
    record[field] = value;
    if (segment) record.segment_id = segment.id;
  }

  async delete(o: Extract<Op, { op: 'delete' }>, where: string) {
    const w = o.who;
    const me = this.m[w];
    const target = this.pick(w, o.target, (m) => m[o.resource] as Map<string, unknown>);
    const path = (id: string) => `/api/${o.resource}/${id}`;
    const got = await this.req(w, 'DELETE', path(target.id), undefined, 'canonical.delete', where);
    if (target.kind !== 'own') {
      expect(got.res.status, where).toBe(404);
      if (target.kind === 'other') await this.sameAsMissing(w, got, 'DELETE', path, undefined, 'canonical.delete', where);
      return;
    }
    const id = target.id;
    if (o.resource === 'segments' && [...me.customers.values()].some((c) => c.segment_id === id)) {
      expect(got.res.status, where).toBe(409);
      expect(got.error!.code, where).toBe('segment_in_use');
      return;
    }
    expect(got.res.status, where).toBe(200);
    switch (o.resource) {
      case 'segments':
        me.segments.delete(id);
        break;
      case 'customers':
        me.customers.delete(id);
        for (const c of me.customers.values()) if (c.bill_to_customer_id === id) c.bill_to_customer_id = null;
        for (const [k, c] of me.contacts) if (c.customer_id === id) me.contacts.delete(k);
        for (const [k, a] of me.addresses) if (a.customer_id === id) me.addresses.delete(k);
        break;
      case 'contacts':
        me.contacts.delete(id);
        for (const a of me.addresses.values()) if (a.contact_id === id) a.contact_id = null;
        break;
      case 'addresses':
        me.addresses.delete(id);
        break;
    }
  }

  /** A canonical list: the caller's records only, in creation order; filtering by the other's ids finds nothing. */
  async list(o: Extract<Op, { op: 'list' }>, where: string) {
    const w = o.who;
    const me = this.m[w];
    const other = this.m[1 - w]!;
    let query = 'limit=100';
    let keep = (_id: string) => true;
    if (o.resource === 'customers' && o.filter !== 'none') {
      const seg = o.filter === 'own' ? [...me.segments.keys()][0] : [...other.segments.keys()][0];
      if (seg) {
        query += `&segment_id=${seg}`;
        keep = (id) => me.customers.get(id)!.segment_id === seg;
      } else {
        const name = [...(o.filter === 'own' ? me : other).customers.values()][0]?.name ?? 'nothing';
        query += `&q=${encodeURIComponent(name)}`;
        keep = (id) => me.customers.get(id)!.name.toLowerCase().includes(name.toLowerCase());
      }
    } else if ((o.resource === 'contacts' || o.resource === 'addresses') && o.filter !== 'none') {
      const customer = [...(o.filter === 'own' ? me : other).customers.keys()][0] ?? missingId();
      query += `&customer_id=${customer}`;
      keep = (id) => (me[o.resource] as Map<string, { customer_id: string }>).get(id)!.customer_id === customer;
    }
    const got = await this.req(w, 'GET', `/api/${o.resource}?${query}`, undefined, 'canonical.list', where);
    expect(got.res.status, where).toBe(200);
    const ids = (got.res.body.data as { id: string }[]).map((x) => x.id);
    expect(ids, where).toEqual([...(me[o.resource] as Map<string, unknown>).keys()].filter(keep));
  }

  /** AmbioSys and Upwell lists, counts and searches hold only the caller's customers, even when searching for the other's. */
  async listCompat(o: Extract<Op, { op: 'listCompat' }>, where: string) {
    const w = o.who;
    const me = this.m[w];
    const probe = this.pick(w, o.probe, (m) => m.customers);
    const probeName = this.m[probe.kind === 'own' ? w : 1 - w]!.customers.get(probe.id)?.name ?? 'nothing-at-all';
    const mine = [...me.customers.entries()];
    if (o.via === 'ambiosys') {
      const search = o.probe.pick % 2 === 0;
      const got = await this.req(w, 'GET', `/api/customers/getCustomers?limit=100${search ? `&search=${encodeURIComponent(probeName)}` : ''}`, undefined, 'ambiosys.list', where);
      expect(got.res.status, where).toBe(200);
      const expectedNumbers = mine.filter(([, c]) => !search || c.name.toLowerCase().includes(probeName.toLowerCase())).map(([, c]) => c.number);
      expect(got.res.body.totalCount, where).toBe(expectedNumbers.length);
      expect((got.res.body.clientes as { customer_id: number }[]).map((c) => c.customer_id), where).toEqual(expectedNumbers.sort((a, b) => a - b));
      return;
    }
    if (o.via === 'upwell') {
      const got = await this.req(w, 'GET', '/api/rest/customers?limit=100', undefined, 'upwell.list', where);
      expect(got.res.status, where).toBe(200);
      expect(got.res.body.customersAggregate.aggregate.count, where).toBe(mine.length);
      expect((got.res.body.customers as { id: string }[]).map((c) => c.id), where).toEqual(mine.map(([id]) => id));
      return;
    }
    // Search by the probe's exact name and by its id together with one of the caller's ids.
    const ownId = mine[0]?.[0] ?? missingId();
    const got = await this.req(
      w,
      'POST',
      '/api/rest/customers/search',
      { limit: 100, where: { _or: [{ name: { _eq: probeName } }, { id: { _in: [probe.id, ownId] } }] } },
      'upwell.search',
      where,
    );
    expect(got.res.status, where).toBe(200);
    const expectedIds = mine.filter(([id, c]) => c.name === probeName || id === probe.id || id === ownId).map(([id]) => id);
    expect((got.res.body.customers as { id: string }[]).map((c) => c.id), where).toEqual(expectedIds);
    expect(got.res.body.customersAggregate.aggregate.count, where).toBe(expectedIds.length);
  }

  /** The workspace's whole visible state, through all three APIs, is its model. */
  async verify(w: Who, where: string) {
    const me = this.m[w];
    for (const res of ['segments', 'customers', 'contacts', 'addresses'] as const) {
      const got = await this.req(w, 'GET', `/api/${res}?limit=100`, undefined, 'canonical.list', `${where} ${res}`);
      const ids = [...(me[res] as Map<string, unknown>).keys()];
      expect((got.res.body.data as { id: string }[]).map((x) => x.id), `${where} ${res}`).toEqual(ids);
      for (const record of got.res.body.data) expect(record, `${where} ${res}`).toMatchObject(expected(me, res, record.id));
    }
    const ambio = await this.req(w, 'GET', '/api/customers/getCustomers?limit=100', undefined, 'ambiosys.list', `${where} ambiosys`);
    expect(ambio.res.body.totalCount, where).toBe(me.customers.size);
    const up = await this.req(w, 'GET', '/api/rest/customers?limit=100', undefined, 'upwell.list', `${where} upwell`);
    expect(up.res.body.customersAggregate.aggregate.count, where).toBe(me.customers.size);
    expect((up.res.body.customers as { id: string; name: string }[]).map((c) => [c.id, c.name]), where).toEqual(
      [...me.customers.entries()].map(([id, c]) => [id, c.name]),
    );
  }
}

/** The fields the model knows of a record, as the canonical API shows them. */
function expected(me: Model, res: Resource, id: string): Record<string, unknown> {
  const record = (me[res] as Map<string, Record<string, unknown>>).get(id)!;
  if (res === 'customers') {
    const c = record as unknown as Customer;
    return {
      id,
      workspace_id: me.workspaceId,
      name: c.name,
      segment_id: c.segment_id,
      bill_to_customer_id: c.bill_to_customer_id,
      number: c.number,
      source_system: c.source?.[0] ?? null,
      source_system_id: c.source?.[1] ?? null,
    };
  }
  return { id, workspace_id: me.workspaceId, ...record };
}

/** A canonical 400 invalid_reference naming exactly `field`. */
function expectInvalidReference(got: Sent, field: string, where: string) {
  expect(got.res.status, `${where} -> ${JSON.stringify(got.res.body)}`).toBe(400);
  expect(got.error!.code, where).toBe('invalid_reference');
  expect(got.error!.paths, where).toEqual([field]);
}

function setPath(body: Record<string, unknown>, field: string, value: string): Record<string, unknown> {
  return { ...body, [field]: value };
}
