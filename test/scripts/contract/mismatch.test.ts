/**
 * The validator bites: real responses from wrangler dev, held to a
 * deliberately altered copy of the document, or altered themselves and held
 * to the real one, fail and say where. public/openapi.json is only read;
 * every alteration is made to a copy in memory.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Contract, ContractError, type Exchange, expectStatus, type Json, newCustomer, readDocument, send, serve } from './support.ts';

serve();

let contract: Contract;
/** A real 201 of POST /api/customers, and a real 404 of GET /api/customers/{id}. */
let created: Exchange;
let missing: Exchange;

beforeAll(async () => {
  contract = await Contract.load(readDocument());
  created = await send('POST', '/api/customers', { body: { name: 'Initech', type: 'company', tax_ids: [{ tax: 'VAT', tax_value: 'GB123456789' }] } });
  expect(created.status, created.text).toBe(201);
  missing = await send('GET', '/api/customers/01900000-0000-7000-8000-000000000000');
  expect(missing.status, missing.text).toBe(404);
}, 60_000);

/** The ContractError `check` throws, with its message (fails if it does not throw). */
function rejection(against: Contract, exchange: Exchange): string {
  try {
    against.check(exchange);
  } catch (error) {
    expect(error).toBeInstanceOf(ContractError);
    return (error as Error).message;
  }
  throw new Error(`${exchange.method} ${exchange.path} ${exchange.status} was accepted`);
}

/** The exchange with its JSON body changed by `edit`. */
function withBody(exchange: Exchange, edit: (body: Json) => void): Exchange {
  const body = JSON.parse(exchange.text);
  edit(body);
  return { ...exchange, text: JSON.stringify(body) };
}

/** A copy of the document with `edit` applied to its customer schema. */
async function withCustomerSchema(edit: (customer: Json) => void): Promise<Contract> {
  const document = readDocument();
  edit(document.components.schemas.Customer);
  return Contract.load(document);
}

describe('the real responses pass the real document (the control)', () => {
  it('accepts them unaltered, through the same calls the suites make', async () => {
    expect(contract.check(created)).toBe('createCustomer');
    expect(contract.check(missing)).toBe('getCustomer');
    const customer = await newCustomer();
    expect((await expectStatus(200, 'GET', `/api/customers/${customer.id}`)).operationId).toBe('getCustomer');
  });
});

describe('(a) a real response against an altered document', () => {
  it('fails when a required property is renamed, naming both names', async () => {
    const altered = await withCustomerSchema((customer) => {
      customer.properties.full_name = customer.properties.name;
      delete customer.properties.name;
      customer.required = customer.required.map((name: string) => (name === 'name' ? 'full_name' : name));
    });
    const message = rejection(altered, created);
    expect(message).toContain('createCustomer (POST /api/customers) 201');
    expect(message).toMatch(/\/data must have required property 'full_name'/);
    expect(message).toMatch(/\/data must NOT have additional properties \{"additionalProperty":"name"\}/);
  });

  it('fails when a property\'s type is changed, naming its path', async () => {
    const altered = await withCustomerSchema((customer) => {
      customer.properties.number = { type: 'string' };
    });
    expect(rejection(altered, created)).toMatch(/\/data\/number must be string/);
  });

  it('fails when an error body\'s code is not the documented one', async () => {
    const document = readDocument();
    document.components.responses.Canonical404.content['application/json'].schema.allOf[1].properties.code.enum = ['gone'];
    expect(rejection(await Contract.load(document), missing)).toMatch(/getCustomer .* 404[\s\S]*\/code must be equal to one of the allowed values/);
  });

  it('refuses to load a document whose schema names a format it cannot check', async () => {
    await expect(withCustomerSchema((customer) => (customer.properties.name.format = 'customer-name'))).rejects.toThrow(/unknown format "customer-name"/);
  });
});

describe('(b) an altered response against the real document', () => {
  it('fails when a field\'s type changes', () => {
    const message = rejection(contract, withBody(created, (body) => (body.data.name = 42)));
    expect(message).toMatch(/\/data\/name must be string/);
    expect(message).toContain('"name":42');
  });

  it('fails on an extra, undocumented property', () => {
    expect(rejection(contract, withBody(created, (body) => (body.data.surprise = true)))).toMatch(
      /\/data must NOT have additional properties \{"additionalProperty":"surprise"\}/,
    );
  });

  it('fails when a value breaks its format or its enum', () => {
    expect(rejection(contract, withBody(created, (body) => (body.data.created_at = 'yesterday')))).toMatch(/\/data\/created_at must match format "date-time"/);
    expect(rejection(contract, withBody(created, (body) => (body.data.type = 'partnership')))).toMatch(/\/data\/type must be equal to one of the allowed values/);
    expect(rejection(contract, withBody(missing, (body) => delete body.request_id))).toMatch(/must have required property 'request_id'/);
  });

  it('fails on a documented header that breaks its schema, or a required one missing', () => {
    expect(rejection(contract, { ...created, headers: { ...created.headers, etag: 'W/"weak"' } })).toMatch(/headers\/etag must match pattern/);
    const { 'x-request-id': _, ...headers } = created.headers;
    expect(rejection(contract, { ...created, headers })).toContain('required header X-Request-Id is missing');
    expect(rejection(contract, { ...created, headers: { ...created.headers, 'content-type': 'text/html' } })).toContain('Content-Type text/html not documented');
  });
});

describe('(c) an undocumented status', () => {
  it('fails for a status the operation does not document, listing those it does', () => {
    const message = rejection(contract, { ...created, status: 200 });
    expect(message).toMatch(/createCustomer \(POST \/api\/customers\) 200: status not documented \(documented: 201, /);
    expect(rejection(contract, { ...missing, status: 418 })).toMatch(/getCustomer .* 418: status not documented/);
  });

  it('fails for a request no operation describes', () => {
    expect(rejection(contract, { ...missing, method: 'GET', path: '/api/invoices' })).toContain('GET /api/invoices (status 404) matches no operation of the document');
  });
});
