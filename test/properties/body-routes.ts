/**
 * Every route that takes a JSON body, with a body it accepts (repeatably) and
 * its fields, derived from the declarations (./fields.ts): the canonical
 * resources' create and update (webhook endpoints included), AmbioSys's
 * create, and Upwell's create, bulk create, search and two updates. Routes
 * that take no body (an action on a record) are in ./url-routes.ts only.
 */
import fc from 'fast-check';
import type * as v from 'valibot';
import { address } from '../../src/addresses/fields';
import { ambiosysCreate } from '../../src/compat/ambiosys/schemas';
import { ADDRESS_NAMES, CONTACT_NAMES, CUSTOMER_FIELDS } from '../../src/compat/upwell/mapping';
import { CreateCustomer, CreateCustomers, SearchBody, UpdateCustomer, UpdateCustomerBySource } from '../../src/compat/upwell/schemas';
import { contact } from '../../src/contacts/fields';
import { customer } from '../../src/customers/fields';
import type { FieldSpec } from '../../src/model/fields';
import { segment } from '../../src/segments/fields';
import { endpoint } from '../../src/webhooks/fields';
import type { Dialect } from '../errors';
import { canonicalFields, entriesOf, fieldsOfKind, fieldsOfSpec, itemOf, rangeOf, sample, validBody, type Field } from './fields';
import { getAt, isPlainObject, setAt, type Body, type Path } from './json';
import type { SuccessKind } from './shapes';
import { endpointRoom, type World } from './world';

export interface BodyRoute {
  /** `METHOD path` as the route is registered (src/*\/api.ts). */
  name: string;
  method: 'POST' | 'PATCH' | 'PUT';
  dialect: Dialect;
  kind: SuccessKind;
  path: (w: World) => string;
  valid: (w: World) => Body;
  fields: Field[];
  /** Objects of `valid` that are strict (unknown keys are refused), by path. */
  strict: Path[];
  /** The body schema the route validates with (src/), whose keys `fields` must cover. */
  schema: v.GenericSchema;
  /** Run before each request (outside its before/after): keeps a valid body acceptable (e.g. room under a per-workspace limit). */
  prepare?: (w: World) => Promise<void>;
}

/** Route objects print as their name in counterexamples. */
export const named = <T extends { name: string }>(routes: T[]): T[] => routes.map((r) => Object.assign(r, { [fc.toStringMethod]: () => r.name }));

interface RouteSpec extends Omit<BodyRoute, 'valid' | 'strict'> {
  /** The valid body, but for the values `refs` gives. */
  body: Body;
  /** Values from the world (its records' ids, a source pair), by dotted path into the body. */
  refs?: Record<string, (w: World) => string>;
}

const pathOf = (dotted: string): Path => dotted.split('.').map((k) => (/^\d+$/.test(k) ? Number(k) : k));

/**
 * A route from its body and fields: only the fields whose parent is in the
 * body (a nested field of an object the body does not hold cannot be set),
 * and the strict objects the body holds.
 */
function route(r: RouteSpec): BodyRoute {
  const refs = Object.entries(r.refs ?? {}).map(([dotted, ref]) => [pathOf(dotted), ref] as const);
  // The refs' places are in the body (so that their fields are too), filled in per world.
  for (const [path] of refs) r.body = setAt(r.body, path, '');
  const present = (path: Path) => path.length === 1 || isPlainObject(getAt(r.body, path.slice(0, -1))) || Array.isArray(getAt(r.body, path.slice(0, -1)));
  const fields = r.fields.filter((f) => present(f.path));
  const strict = [[], ...fields.filter((f) => f.strict && isPlainObject(getAt(r.body, f.path))).map((f) => f.path)];
  const { body, refs: _, ...rest } = r;
  return { ...rest, fields, strict, valid: (w) => refs.reduce((out, [path, ref]) => setAt(out, path, ref(w)), body) };
}

// ---- The canonical API: five declared resources ---------------------------------

/**
 * The canonical resources, with the caller's own records they reference on
 * create and on update, values every valid body holds (`fixed`), and what
 * runs before a create (`prepare`).
 */
type Refs = Record<string, (w: World) => string>;
const RESOURCES: {
  path: string;
  one: 'customer' | 'contact' | 'address' | 'segment' | 'endpoint';
  declared: { specs: object; create: v.GenericSchema; update: v.GenericSchema };
  create: Refs;
  update: Refs;
  fixed?: Body;
  prepare?: (w: World) => Promise<void>;
}[] = [
  {
    path: '/api/customers',
    one: 'customer',
    declared: customer,
    create: { segment_id: (w) => w.A.segment, bill_to_customer_id: (w) => w.A.customer },
    update: { segment_id: (w) => w.A.segment },
  },
  { path: '/api/contacts', one: 'contact', declared: contact, create: { customer_id: (w) => w.A.customer }, update: {} },
  {
    path: '/api/addresses',
    one: 'address',
    declared: address,
    create: { customer_id: (w) => w.A.customer, contact_id: (w) => w.A.contact },
    update: { contact_id: (w) => w.A.contact },
  },
  { path: '/api/segments', one: 'segment', declared: segment, create: {}, update: {} },
  {
    path: '/api/webhook_endpoints',
    one: 'endpoint',
    declared: endpoint,
    create: {},
    update: {},
    // Disabled: nothing is delivered to the endpoints the properties make (the body's url is a real host).
    fixed: { enabled: false },
    // At most 16 endpoints per workspace: the properties create many.
    prepare: endpointRoom,
  },
];

const canonical = RESOURCES.flatMap(({ path, one, declared, create, update, fixed, prepare }): RouteSpec[] => {
  const specs = declared.specs as Record<string, FieldSpec>;
  return [
    {
      name: `POST ${path}`,
      method: 'POST',
      dialect: 'canonical',
      kind: 'canonical.create',
      path: () => path,
      body: { ...validBody(specs, { refs: Object.fromEntries(Object.keys(create).map((k) => [k, ''])) }), ...fixed },
      refs: create,
      fields: canonicalFields(specs, false),
      schema: declared.create,
      ...(prepare ? { prepare } : {}),
    },
    {
      name: `PATCH ${path}/:id`,
      method: 'PATCH',
      dialect: 'canonical',
      kind: 'canonical.update',
      path: (w) => `${path}/${w.A[one]}`,
      body: { ...validBody(specs, { update: true }), ...fixed },
      refs: update,
      fields: canonicalFields(specs, true),
      schema: declared.update,
    },
  ];
});

// ---- AmbioSys ---------------------------------------------------------------------

const ambiosys: RouteSpec = {
  name: 'POST /api/customers/create',
  method: 'POST',
  dialect: 'ambiosys',
  kind: 'ambiosys.create',
  path: () => '/api/customers/create',
  body: validBody(ambiosysCreate.specs),
  fields: Object.entries(ambiosysCreate.specs).flatMap(([name, spec]) => fieldsOfSpec(spec, [name], ['customer', name])),
  schema: ambiosysCreate.create,
};

// ---- Upwell ---------------------------------------------------------------------------

const customerSpecs = customer.specs as Record<string, FieldSpec>;
const dueOption = customer.specs.due_option;
const object = (path: Path, extra: Partial<Field> = {}): Field => ({ path, kind: 'object', strict: true, ...extra });

/** A field of an Upwell object named like a declared field (`names`: Upwell -> canonical), or one of Upwell's own. */
function upwellKey(key: string, names: Record<string, string>, specs: Record<string, FieldSpec>, at: Path, out: Path | undefined, optional: boolean, own: Record<string, () => Field[]>): Field[] {
  if (Object.hasOwn(names, key)) return fieldsOfSpec(specs[names[key]!]!, [...at, key], out && [...out, key], optional);
  if (Object.hasOwn(own, key)) return own[key]!();
  throw new Error(`Upwell body field ${[...at, key].join('.')} is not known to test/properties/body-routes.ts: say what it takes`);
}

/** Hasura's `{"data": [row]}` insert: the relationship, its array and the first row's fields (each as declared). */
function relationship(at: Path, schema: unknown, names: Record<string, string>, specs: Record<string, FieldSpec>, out: Path | undefined): Field[] {
  const row = [...at, 'data', 0];
  const rowSchema = itemOf(entriesOf(schema as never).data!);
  // The address `type` is Upwell's own label (ADDRESS_BOOK, BILLING, SHIPPING).
  const own = { type: () => [{ path: [...row, 'type'], kind: 'string' as const }] };
  return [
    object(at, { nullable: true }),
    { path: [...at, 'data'], kind: 'array' },
    object(row),
    ...Object.keys(entriesOf(rowSchema)).flatMap((key) => upwellKey(key, names, specs, row, out, false, own)),
  ];
}

/** CustomersInsertInput at `at`, echoed (as an Upwell customer) at `out`. */
function upwellInsert(at: Path, out: Path): Field[] {
  const entries = entriesOf(entriesOf(CreateCustomer).input!);
  const p = (key: string): Path => [...at, key];
  const own: Record<string, () => Field[]> = {
    addresses: () => relationship(p('addresses'), entries.addresses, ADDRESS_NAMES, address.specs as Record<string, FieldSpec>, [...out, 'addresses', 0]),
    // Contacts are not part of the Upwell customer: nothing is echoed.
    contacts: () => relationship(p('contacts'), entries.contacts, CONTACT_NAMES, contact.specs as Record<string, FieldSpec>, undefined),
    customerRule: () => [
      object(p('customerRule'), { nullable: true }),
      object([...p('customerRule'), 'data']),
      ...fieldsOfSpec(dueOption, [...p('customerRule'), 'data', 'dueOption'], [...out, 'customerRule', 'dueOption'], true),
      // The short form; `data.dueOption` (in the valid body) wins over it, so it is not echoed.
      ...fieldsOfSpec(dueOption, [...p('customerRule'), 'dueOption'], undefined, true),
    ],
    // Accepted only empty: this service keeps no payments.
    paymentLineItems: () => [object(p('paymentLineItems'), { nullable: true }), { path: [...p('paymentLineItems'), 'data'], kind: 'array' }],
    remittanceLineItems: () => [object(p('remittanceLineItems'), { nullable: true }), { path: [...p('remittanceLineItems'), 'data'], kind: 'array' }],
  };
  return [object(at, { required: true }), ...Object.keys(entries).flatMap((key) => upwellKey(key, CUSTOMER_FIELDS, customerSpecs, at, out, false, own))];
}

const upwellInput = (): Body => ({
  ...validBody(customerSpecs, { names: CUSTOMER_FIELDS }),
  addresses: { data: [validBody(address.specs as Record<string, FieldSpec>, { names: ADDRESS_NAMES })] },
  contacts: { data: [validBody(contact.specs as Record<string, FieldSpec>, { names: CONTACT_NAMES })] },
  customerRule: { data: { dueOption: sample(dueOption.kind) } },
  paymentLineItems: { data: [] },
  remittanceLineItems: { data: [] },
});

/**
 * CustomersSetInput (`input`) and CustomerRulesSetInput (`customerRulesInput`)
 * of a PUT, echoed at `out`; `omit` leaves input fields out.
 */
function upwellSet(schema: unknown, out: Path, omit: string[] = []): Field[] {
  const body = entriesOf(schema as never);
  const input = Object.keys(entriesOf(body.input!)).filter((key) => !omit.includes(key));
  const rules = Object.keys(entriesOf(body.customerRulesInput!));
  const due = { dueOption: () => fieldsOfSpec(dueOption, ['customerRulesInput', 'dueOption'], undefined, true) };
  return [
    object(['input']),
    ...input.flatMap((key) => upwellKey(key, CUSTOMER_FIELDS, customerSpecs, ['input'], out, true, {})),
    object(['customerRulesInput']),
    ...rules.flatMap((key) => upwellKey(key, {}, {}, ['customerRulesInput'], undefined, true, due)),
  ];
}
const setNames = (schema: unknown, omit: string[] = []) =>
  Object.fromEntries(Object.keys(entriesOf(entriesOf(schema as never).input!)).filter((k) => !omit.includes(k)).map((k) => [k, CUSTOMER_FIELDS[k]!]));
const upwellSetBody = (schema: unknown, omit: string[] = []): Body => ({
  input: validBody(customerSpecs, { names: setNames(schema, omit), update: true }),
  customerRulesInput: { dueOption: sample(dueOption.kind) },
});

/**
 * PUT by source finds the customer by the pair its body names: an input that
 * changed the pair would move the customer away from every later request.
 */
const PAIR = ['sourceSystem', 'sourceSystemId'];
const search = entriesOf(SearchBody);

const upwell: RouteSpec[] = [
  {
    name: 'POST /api/rest/customers',
    method: 'POST',
    dialect: 'upwell',
    kind: 'upwell.create',
    path: () => '/api/rest/customers',
    body: { input: upwellInput() },
    refs: { 'input.billToCustomerId': (w) => w.A.customer },
    fields: upwellInsert(['input'], ['createCustomer']),
    schema: CreateCustomer,
  },
  {
    name: 'POST /api/rest/bulk-customers',
    method: 'POST',
    dialect: 'upwell',
    kind: 'upwell.bulk',
    path: () => '/api/rest/bulk-customers',
    body: { inputs: [upwellInput(), validBody(customerSpecs, { names: { name: 'name' } })] },
    refs: { 'inputs.0.billToCustomerId': (w) => w.A.customer },
    fields: [{ path: ['inputs'], kind: 'array', min: 1, required: true }, ...upwellInsert(['inputs', 0], ['createCustomers', 'returning', 0])],
    schema: CreateCustomers,
  },
  {
    name: 'POST /api/rest/customers/search',
    method: 'POST',
    dialect: 'upwell',
    kind: 'upwell.search',
    path: () => '/api/rest/customers/search',
    body: { limit: 10, offset: 0, where: { name: { _ilike: '%cor%' } }, orderBy: [{ createdAt: 'asc' }] },
    fields: [
      { path: ['limit'], kind: 'integer', ...rangeOf(search.limit!) },
      { path: ['offset'], kind: 'integer', ...rangeOf(search.offset!) },
      // Hasura expressions: unknown fields and operators are refused like unknown keys.
      { path: ['where'], kind: 'where', strict: true },
      object(['where', 'name']),
      { path: ['where', 'name', '_ilike'], kind: 'string' },
      { path: ['orderBy'], kind: 'orderBy' },
      object(['orderBy', 0]),
    ],
    schema: SearchBody,
  },
  {
    name: 'PUT /api/rest/customers/:id',
    method: 'PUT',
    dialect: 'upwell',
    kind: 'upwell.putId',
    // The canonical customer: it has no source pair that PUT by source relies on.
    path: (w) => `/api/rest/customers/${w.A.customer}`,
    body: upwellSetBody(UpdateCustomer),
    refs: { 'input.billToCustomerId': (w) => w.A.upwell },
    fields: upwellSet(UpdateCustomer, ['updateCustomer']),
    schema: UpdateCustomer,
  },
  {
    name: 'PUT /api/rest/customers',
    method: 'PUT',
    dialect: 'upwell',
    kind: 'upwell.putSource',
    path: () => '/api/rest/customers',
    body: upwellSetBody(UpdateCustomerBySource, PAIR),
    refs: { sourceSystem: (w) => w.A.sourceSystem, sourceSystemId: (w) => w.A.sourceSystemId, 'input.billToCustomerId': (w) => w.A.customer },
    fields: [
      // The pair names the customer (not echoed: another pair finds none); each is the customer's field of that name, required here.
      ...PAIR.flatMap((key) => fieldsOfKind(customerSpecs[CUSTOMER_FIELDS[key]!]!.kind, [key], undefined, { required: true })),
      ...upwellSet(UpdateCustomerBySource, ['updateCustomer', 'returning', 0], PAIR),
    ],
    schema: UpdateCustomerBySource,
  },
];

/** Every route that takes a JSON body. */
export const BODY_ROUTES: BodyRoute[] = named([...canonical, ambiosys, ...upwell].map(route));

/** The routes whose body has fields of `kind`, and those fields. */
export const fieldsOf = (r: BodyRoute, kind: Field['kind']) => r.fields.filter((f) => f.kind === kind);
