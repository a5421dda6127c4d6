/**
 * One customer, three APIs: a customer created, updated or deleted through the
 * canonical (Qwoty), AmbioSys or Upwell API is seen with the same data, and the
 * same timestamps, through the other two. Expected shapes are written out field
 * by field from the mapping table (src/compat/mapping.ts, README), not derived
 * from the mapping code.
 */
import { describe, expect, it } from 'vitest';
import { customerObject } from '../fixtures';
import { ambiosysError, upwellError } from '../errors';
import { api, ISO, ok, upwellCall, UUID, workspace } from '../helpers';

type Fields = Record<string, any>;

/** The canonical customer (without contact_ids/address_ids) and its addresses, as the canonical API returns them. */
async function canonical(token: string, id: string) {
  const { contact_ids, address_ids, ...customer } = (await ok('GET', `/api/customers/${id}`, token)).data;
  const addresses = (await ok('GET', `/api/addresses?customer_id=${id}`, token)).data;
  expect(address_ids).toEqual(addresses.map((a: Fields) => a.id));
  return { customer, addresses, contact_ids: contact_ids as string[] };
}

/** The AmbioSys view of a canonical customer, per the mapping table. */
const asAmbiosys = (c: Fields) => ({
  customer_id: c.number,
  name: c.name,
  legal_name: c.legal_name,
  tax_id: c.tax_ids.length > 0 ? c.tax_ids[0].tax_value : null,
  contact_origin: c.contact_origin,
  created_at: c.created_at,
  updated_at: c.updated_at,
});

/**
 * The Upwell view of a canonical customer and its canonical addresses, per the
 * mapping table; `upwellTypes` are the types an Upwell client wrote, which it reads back.
 */
const asUpwell = (c: Fields, addresses: Fields[], upwellTypes: (string | undefined)[] = []) => ({
  addresses: addresses.map((a, i) => ({
    city: a.city,
    country: a.country,
    id: a.id,
    stateOrProvince: a.state,
    streetLine1: a.address_line1,
    streetLine2: a.address_line2,
    type: upwellTypes[i] ?? (a.type === 'billing' ? 'ADDRESS_BOOK' : 'SHIPPING'),
    zipOrPostalCode: a.postal_code,
  })),
  addressesLastUpdatedAt: c.addresses_last_updated_at,
  balance: 0,
  billToCustomerId: c.bill_to_customer_id,
  ccEmailAddresses: c.cc_email_addresses,
  collectorId: c.collector_id,
  contactsLastUpdatedAt: c.contacts_last_updated_at,
  createdAt: c.created_at,
  customerEmailSettings: c.email_settings,
  customerIntegrationSettings: c.integration_settings,
  customerRule: c.due_option === null ? null : { dueOption: c.due_option, id: c.id },
  deletedAt: c.deleted_at,
  emailAddress: c.email_address,
  id: c.id,
  metadata: c.metadata,
  name: c.name,
  overdueBalance: 0,
  overdueInvoiceCount: 0,
  sourceSystem: c.source_system,
  sourceSystemId: c.source_system_id,
  updatedAt: c.updated_at,
});

/** Reads the customer through every read route of the three APIs and checks each against the canonical record. */
async function expectSameEverywhere(token: string, id: string, upwellTypes: string[] = []) {
  const { customer, addresses } = await canonical(token, id);
  const listed = (await ok('GET', '/api/customers?limit=100', token)).data;
  expect(listed.filter((c: Fields) => c.id === id)).toEqual([customer]);

  expect(await ok('GET', `/api/customers/getCustomers/${customer.number}`, token)).toEqual({ success: true, cliente: asAmbiosys(customer) });
  const ambiosysList = await ok('GET', '/api/customers/getCustomers?limit=100', token);
  expect(ambiosysList.clientes.filter((c: Fields) => c.customer_id === customer.number)).toEqual([
    { ...asAmbiosys(customer), total_count: ambiosysList.totalCount },
  ]);

  expect(await ok('GET', `/api/rest/customers/${id}`, token)).toEqual({ customer: asUpwell(customer, addresses, upwellTypes) });
  const upwellList = await ok('GET', '/api/rest/customers?limit=100', token);
  expect(upwellList.customers.filter((c: Fields) => c.id === id)).toEqual([asUpwell(customer, addresses, upwellTypes)]);
  expect(upwellList.customersAggregate.aggregate.count).toBe(ambiosysList.totalCount);
  expect(listed.length).toBe(ambiosysList.totalCount);
  return { customer, addresses };
}

const at = (iso: string) => new Date(iso).toISOString();

describe('POST /api/customers', () => {
  it('is read back with the same data through AmbioSys and Upwell', async () => {
    const { workspaceId, token } = await workspace();
    const parent = (await ok('POST', '/api/customers', token, { name: 'Parent Holdings', type: 'company' }, 201)).data;
    const input = {
      name: 'Acme Corporation',
      type: 'company',
      legal_name: 'Acme Corp Ltd.',
      tax_ids: [
        { tax: 'VAT', tax_value: 'FR12345678901' },
        { tax: 'SIREN', tax_value: '123456789' },
      ],
      contact_origin: 'CRM_IMPORT',
      email_address: 'billing@acme.example',
      cc_email_addresses: ['cfo@acme.example', 'ap@acme.example'],
      bill_to_customer_id: parent.id,
      collector_id: 'collector-7',
      metadata: { tier: 'gold', region: 'EMEA' },
      source_system: 'netsuite',
      source_system_id: 'NS-001',
      due_option: 30,
      email_settings: { reminders: true, cadence: [7, 14] },
      integration_settings: { sync: { enabled: false } },
      addresses_last_updated_at: '2023-11-07T05:31:56Z',
      contacts_last_updated_at: '2023-11-08T06:00:00.250Z',
      deleted_at: '2024-01-01T00:00:00Z',
    };
    const created = (await ok('POST', '/api/customers', token, input, 201)).data;
    const billing = (await ok('POST', '/api/addresses', token, {
      customer_id: created.id, type: 'billing', address_line1: '1 rue de Rivoli', address_line2: 'Bât. A', city: 'Paris', postal_code: '75001', country: 'FR',
    }, 201)).data;
    const shipping = (await ok('POST', '/api/addresses', token, {
      customer_id: created.id, type: 'shipping', address_line1: '500 Main St', city: 'Austin', state: 'TX', postal_code: '78701', country: 'US',
    }, 201)).data;

    const { customer } = await expectSameEverywhere(token, created.id);
    expect(customer).toEqual({
      ...created,
      workspace_id: workspaceId,
      number: 2,
      addresses_last_updated_at: '2023-11-07T05:31:56.000Z',
      contacts_last_updated_at: '2023-11-08T06:00:00.250Z',
      deleted_at: '2024-01-01T00:00:00.000Z',
    });
    // Field by field, from the request, not from the canonical response.
    expect(await ok('GET', '/api/customers/getCustomers/2', token)).toEqual({
      success: true,
      cliente: {
        customer_id: 2,
        name: 'Acme Corporation',
        legal_name: 'Acme Corp Ltd.',
        tax_id: 'FR12345678901',
        contact_origin: 'CRM_IMPORT',
        created_at: created.created_at,
        updated_at: created.updated_at,
      },
    });
    expect(await ok('GET', `/api/rest/customers/${created.id}`, token)).toEqual({
      customer: {
        addresses: [
          { city: 'Paris', country: 'FR', id: billing.id, stateOrProvince: null, streetLine1: '1 rue de Rivoli', streetLine2: 'Bât. A', type: 'ADDRESS_BOOK', zipOrPostalCode: '75001' },
          { city: 'Austin', country: 'US', id: shipping.id, stateOrProvince: 'TX', streetLine1: '500 Main St', streetLine2: null, type: 'SHIPPING', zipOrPostalCode: '78701' },
        ],
        addressesLastUpdatedAt: '2023-11-07T05:31:56.000Z',
        balance: 0,
        billToCustomerId: parent.id,
        ccEmailAddresses: ['cfo@acme.example', 'ap@acme.example'],
        collectorId: 'collector-7',
        contactsLastUpdatedAt: '2023-11-08T06:00:00.250Z',
        createdAt: created.created_at,
        customerEmailSettings: { reminders: true, cadence: [7, 14] },
        customerIntegrationSettings: { sync: { enabled: false } },
        customerRule: { dueOption: 30, id: created.id },
        deletedAt: '2024-01-01T00:00:00.000Z',
        emailAddress: 'billing@acme.example',
        id: created.id,
        metadata: { tier: 'gold', region: 'EMEA' },
        name: 'Acme Corporation',
        overdueBalance: 0,
        overdueInvoiceCount: 0,
        sourceSystem: 'netsuite',
        sourceSystemId: 'NS-001',
        updatedAt: created.updated_at,
      },
    });
  });

  it('with only the required fields shows the defaults everywhere', async () => {
    const { token } = await workspace();
    const created = (await ok('POST', '/api/customers', token, { name: 'Jane Doe', type: 'individual' }, 201)).data;
    await expectSameEverywhere(token, created.id);
    expect((await ok('GET', '/api/customers/getCustomers/1', token)).cliente).toEqual({
      customer_id: 1, name: 'Jane Doe', legal_name: null, tax_id: null, contact_origin: 'WEB_FORM', created_at: created.created_at, updated_at: created.updated_at,
    });
    expect((await ok('GET', `/api/rest/customers/${created.id}`, token)).customer).toMatchObject({
      addresses: [], balance: 0, overdueBalance: 0, overdueInvoiceCount: 0, customerRule: null, emailAddress: null, ccEmailAddresses: [], metadata: {},
      billToCustomerId: null, collectorId: null, sourceSystem: null, sourceSystemId: null, customerEmailSettings: null, customerIntegrationSettings: null,
      addressesLastUpdatedAt: null, contactsLastUpdatedAt: null, deletedAt: null,
    });
  });

  it('shares one customer_id sequence with the other two APIs', async () => {
    const { token } = await workspace();
    await ok('POST', '/api/customers', token, { name: 'Via Qwoty', type: 'company' }, 201);
    await ok('POST', '/api/customers/create', token, { name: 'Via AmbioSys' }, 201);
    await ok('POST', '/api/rest/customers', token, { input: { name: 'Via Upwell' } });
    const listed = await ok('GET', '/api/customers/getCustomers', token);
    expect(listed.clientes.map((c: Fields) => [c.customer_id, c.name])).toEqual([[1, 'Via Qwoty'], [2, 'Via AmbioSys'], [3, 'Via Upwell']]);
    const numbers = (await ok('GET', '/api/customers', token)).data.map((c: Fields) => [c.number, c.name]);
    expect(numbers).toEqual([[1, 'Via Qwoty'], [2, 'Via AmbioSys'], [3, 'Via Upwell']]);
  });
});

describe('POST /api/customers/create', () => {
  it('is read back with the same data through the canonical API and Upwell', async () => {
    const { workspaceId, token } = await workspace();
    const { customer: created } = await ok('POST', '/api/customers/create', token, {
      name: 'Acme Corporation', legal_name: 'Acme Corp Ltd.', tax_id: 'ABC123456789', contact_origin: 'TRADE_SHOW',
    }, 201);
    const [stored] = (await ok('GET', '/api/customers', token)).data;
    expect(stored).toEqual(customerObject(workspaceId, {
      number: created.customer_id,
      name: 'Acme Corporation',
      legal_name: 'Acme Corp Ltd.',
      type: 'company',
      tax_ids: [{ tax: 'TAX_ID', tax_value: 'ABC123456789' }],
      contact_origin: 'TRADE_SHOW',
      created_at: created.created_at,
      updated_at: created.updated_at,
    }));
    const { customer } = await expectSameEverywhere(token, stored.id);
    expect(asAmbiosys(customer)).toEqual(created);
    expect((await ok('GET', `/api/rest/customers/${stored.id}`, token)).customer).toEqual({
      addresses: [], addressesLastUpdatedAt: null, balance: 0, billToCustomerId: null, ccEmailAddresses: [], collectorId: null, contactsLastUpdatedAt: null,
      createdAt: created.created_at, customerEmailSettings: null, customerIntegrationSettings: null, customerRule: null, deletedAt: null, emailAddress: null,
      id: stored.id, metadata: {}, name: 'Acme Corporation', overdueBalance: 0, overdueInvoiceCount: 0, sourceSystem: null, sourceSystemId: null,
      updatedAt: created.updated_at,
    });
    // The tax id is a real canonical tax id: the canonical tax_value filter finds it.
    expect((await ok('GET', '/api/customers?tax_value=ABC123456789', token)).data.map((c: Fields) => c.id)).toEqual([stored.id]);
  });
});

describe('POST /api/rest/customers', () => {
  it('is read back with the same data, addresses and contacts through the canonical API and AmbioSys', async () => {
    const { workspaceId, token } = await workspace();
    const parent = (await ok('POST', '/api/customers/create', token, { name: 'Parent' }, 201)).customer;
    const parentId = (await ok('GET', '/api/customers', token)).data[0].id;
    const input = {
      name: 'Globex',
      emailAddress: 'ar@globex.example',
      ccEmailAddresses: ['cfo@globex.example'],
      billToCustomerId: parentId,
      collectorId: 'c-42',
      metadata: { plan: 'pro' },
      sourceSystem: 'quickbooks',
      sourceSystemId: 'QB-9',
      customerRule: { data: { dueOption: 15 } },
      customerEmailSettings: { cc: false },
      customerIntegrationSettings: { qb: { realm: '123' } },
      deletedAt: null,
      addresses: {
        data: [
          { streetLine1: '10 Downing St', city: 'London', zipOrPostalCode: 'SW1A 2AA', country: 'gb', type: 'BILLING' },
          { streetLine1: '1 Infinite Loop', streetLine2: 'Bldg 2', city: 'Cupertino', stateOrProvince: 'CA', zipOrPostalCode: '95014', country: 'US', type: 'SHIPPING' },
        ],
      },
      contacts: { data: [{ firstName: 'Hank', lastName: 'Scorpio', emailAddress: 'hank@globex.example', phoneNumber: '+1 555 0100' }] },
    };
    const { createCustomer: created } = await ok('POST', '/api/rest/customers', token, { input });
    expect(created.id).toMatch(UUID);
    expect(created.createdAt).toMatch(ISO);

    const { customer, addresses, contact_ids } = await canonical(token, created.id);
    expect(customer).toEqual(customerObject(workspaceId, {
      id: created.id,
      number: parent.customer_id + 1,
      name: 'Globex',
      type: 'company',
      email_address: 'ar@globex.example',
      cc_email_addresses: ['cfo@globex.example'],
      bill_to_customer_id: parentId,
      collector_id: 'c-42',
      metadata: { plan: 'pro' },
      source_system: 'quickbooks',
      source_system_id: 'QB-9',
      due_option: 15,
      email_settings: { cc: false },
      integration_settings: { qb: { realm: '123' } },
      created_at: created.createdAt,
      updated_at: created.updatedAt,
    }));
    const address = { workspace_id: workspaceId, customer_id: created.id, contact_id: null, name: null, comment: null, id_crm: null, id_erp: null, id_accounting: null };
    expect(addresses).toEqual([
      { ...address, id: created.addresses[0].id, type: 'billing', address_line1: '10 Downing St', address_line2: null, city: 'London', state: null, postal_code: 'SW1A 2AA', country: 'GB', created_at: expect.stringMatching(ISO), updated_at: expect.stringMatching(ISO) },
      { ...address, id: created.addresses[1].id, type: 'shipping', address_line1: '1 Infinite Loop', address_line2: 'Bldg 2', city: 'Cupertino', state: 'CA', postal_code: '95014', country: 'US', created_at: expect.stringMatching(ISO), updated_at: expect.stringMatching(ISO) },
    ]);
    const contacts = (await ok('GET', `/api/contacts?customer_id=${created.id}`, token)).data;
    expect(contacts.map((c: Fields) => c.id)).toEqual(contact_ids);
    expect(contacts).toEqual([
      expect.objectContaining({ customer_id: created.id, first_name: 'Hank', last_name: 'Scorpio', email: 'hank@globex.example', phone: '+1 555 0100' }),
    ]);

    // BILLING is stored as billing, and reads back as the BILLING its Upwell client wrote.
    expect(created).toEqual(asUpwell(customer, addresses, ['BILLING', 'SHIPPING']));
    expect(created.addresses.map((a: Fields) => a.type)).toEqual(['BILLING', 'SHIPPING']);
    await expectSameEverywhere(token, created.id, ['BILLING', 'SHIPPING']);
    expect((await ok('GET', `/api/customers/getCustomers/${customer.number}`, token)).cliente).toEqual({
      customer_id: parent.customer_id + 1, name: 'Globex', legal_name: null, tax_id: null, contact_origin: 'WEB_FORM', created_at: created.createdAt, updated_at: created.updatedAt,
    });
  });

  it('stores addressesLastUpdatedAt, contactsLastUpdatedAt and deletedAt as the canonical timestamps', async () => {
    const { token } = await workspace();
    const input = { name: 'Initech', addressesLastUpdatedAt: '2023-11-07T05:31:56Z', contactsLastUpdatedAt: '2023-11-07T05:31:57.123Z', deletedAt: '2024-02-29T12:00:00+01:00' };
    const res = await upwellCall('POST', '/api/rest/customers', token, { body: { input } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const created = res.body.createCustomer;
    expect(created).toMatchObject({ addressesLastUpdatedAt: '2023-11-07T05:31:56.000Z', contactsLastUpdatedAt: '2023-11-07T05:31:57.123Z', deletedAt: '2024-02-29T11:00:00.000Z' });
    const { customer } = await expectSameEverywhere(token, created.id);
    expect(customer).toMatchObject({ addresses_last_updated_at: '2023-11-07T05:31:56.000Z', contacts_last_updated_at: '2023-11-07T05:31:57.123Z', deleted_at: '2024-02-29T11:00:00.000Z' });
  });
});

describe('PATCH /api/customers/{id}', () => {
  it('is visible through AmbioSys and Upwell, with the new updated_at everywhere', async () => {
    const { token } = await workspace();
    const { customer: ambi } = await ok('POST', '/api/customers/create', token, { name: 'Acme', legal_name: 'Acme SA', tax_id: 'OLD-1' }, 201);
    const [before] = (await ok('GET', '/api/customers', token)).data;
    const patch = {
      name: 'Acme Renamed',
      legal_name: 'Acme Renamed SA',
      tax_ids: [{ tax: 'VAT', tax_value: 'NEW-2' }, { tax: 'TAX_ID', tax_value: 'OLD-1' }],
      contact_origin: 'PHONE',
      email_address: 'new@acme.example',
      due_option: 60,
      metadata: { k: 'v' },
    };
    const patched = (await ok('PATCH', `/api/customers/${before.id}`, token, patch)).data;
    expect(Date.parse(patched.updated_at)).toBeGreaterThan(Date.parse(before.updated_at));

    const { customer } = await expectSameEverywhere(token, before.id);
    expect(customer).toEqual(patched);
    expect((await ok('GET', `/api/customers/getCustomers/${ambi.customer_id}`, token)).cliente).toEqual({
      customer_id: ambi.customer_id, name: 'Acme Renamed', legal_name: 'Acme Renamed SA', tax_id: 'NEW-2', contact_origin: 'PHONE',
      created_at: ambi.created_at, updated_at: patched.updated_at,
    });
    expect((await ok('GET', `/api/rest/customers/${before.id}`, token)).customer).toMatchObject({
      name: 'Acme Renamed', emailAddress: 'new@acme.example', customerRule: { dueOption: 60, id: before.id }, metadata: { k: 'v' },
      createdAt: ambi.created_at, updatedAt: patched.updated_at,
    });
    const search = async (q: string) => (await ok('GET', `/api/customers/getCustomers?search=${q}`, token)).totalCount;
    expect([await search('new-2'), await search('renamed sa'), await search('acme sa')]).toEqual([1, 1, 0]);
  });

  it('clearing due_option and tax_ids shows customerRule null and tax_id null', async () => {
    const { token } = await workspace();
    const created = (await ok('POST', '/api/customers', token, { name: 'Acme', type: 'company', due_option: 10, tax_ids: [{ tax: 'VAT', tax_value: 'X1' }] }, 201)).data;
    expect((await ok('GET', `/api/rest/customers/${created.id}`, token)).customer.customerRule).toEqual({ dueOption: 10, id: created.id });
    await ok('PATCH', `/api/customers/${created.id}`, token, { due_option: null, tax_ids: [] });
    const { customer } = await expectSameEverywhere(token, created.id);
    expect((await ok('GET', `/api/rest/customers/${created.id}`, token)).customer.customerRule).toBeNull();
    expect((await ok('GET', `/api/customers/getCustomers/${customer.number}`, token)).cliente.tax_id).toBeNull();
  });
});

describe('PUT /api/rest/customers/{id}', () => {
  it('is visible through the canonical API and AmbioSys, keeping the fields Upwell does not have', async () => {
    const { token } = await workspace();
    const { customer: ambi } = await ok('POST', '/api/customers/create', token, { name: 'Acme', legal_name: 'Acme SA', tax_id: 'T-1', contact_origin: 'EMAIL' }, 201);
    const [before] = (await ok('GET', '/api/customers', token)).data;
    const res = await ok('PUT', `/api/rest/customers/${before.id}`, token, {
      input: { name: 'Acme Global', emailAddress: 'ar@acme.example', collectorId: 'col-1', metadata: { a: 'b' } },
      customerRulesInput: { dueOption: 45 },
    });
    expect(res.updateCustomerRules).toEqual({ affectedRows: 1 });
    const updated = res.updateCustomer;
    expect(Date.parse(updated.updatedAt)).toBeGreaterThan(Date.parse(before.updated_at));

    const { customer, addresses } = await expectSameEverywhere(token, before.id);
    expect(updated).toEqual(asUpwell(customer, addresses));
    expect(customer).toEqual({
      ...before,
      name: 'Acme Global',
      email_address: 'ar@acme.example',
      collector_id: 'col-1',
      metadata: { a: 'b' },
      due_option: 45,
      updated_at: updated.updatedAt,
    });
    expect((await ok('GET', `/api/customers/getCustomers/${ambi.customer_id}`, token)).cliente).toEqual({
      ...ambi, name: 'Acme Global', updated_at: updated.updatedAt,
    });
  });

  it('sets deletedAt and the last-updated timestamps as the canonical timestamps', async () => {
    const { token } = await workspace();
    const created = (await ok('POST', '/api/customers', token, { name: 'Acme', type: 'company' }, 201)).data;
    const input = { deletedAt: '2025-02-03T04:05:06Z', addressesLastUpdatedAt: '2025-01-01T00:00:00.5Z', contactsLastUpdatedAt: '2025-01-02T00:00:00Z' };
    const res = await upwellCall('PUT', `/api/rest/customers/${created.id}`, token, { body: { input } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const { customer } = await expectSameEverywhere(token, created.id);
    expect(customer).toEqual({
      ...created,
      deleted_at: '2025-02-03T04:05:06.000Z',
      addresses_last_updated_at: '2025-01-01T00:00:00.500Z',
      contacts_last_updated_at: '2025-01-02T00:00:00.000Z',
      updated_at: res.body.updateCustomer.updatedAt,
    });
  });

  it('clearing customerRule through Upwell clears the canonical due_option', async () => {
    const { token } = await workspace();
    const created = (await ok('POST', '/api/customers', token, { name: 'Acme', type: 'company', due_option: 5 }, 201)).data;
    await ok('PUT', `/api/rest/customers/${created.id}`, token, { customerRulesInput: { dueOption: null } });
    const { customer } = await expectSameEverywhere(token, created.id);
    expect(customer.due_option).toBeNull();
  });
});

describe('DELETE /api/customers/{id}', () => {
  it('removes the customer from AmbioSys and Upwell (404s and lists)', async () => {
    const { token } = await workspace();
    const keep = (await ok('POST', '/api/customers', token, { name: 'Keep', type: 'company' }, 201)).data;
    const { createCustomer: gone } = await ok('POST', '/api/rest/customers', token, {
      input: {
        name: 'Gone',
        addresses: { data: [{ streetLine1: '1 Main St', city: 'Austin', zipOrPostalCode: '78701', country: 'US' }] },
        contacts: { data: [{ firstName: 'Ada', lastName: 'Lovelace', emailAddress: 'ada@example.com' }] },
      },
    });
    const { customer: ambi } = await ok('POST', '/api/customers/create', token, { name: 'Also gone', tax_id: 'T-9' }, 201);
    const ambiId = (await ok('GET', '/api/customers', token)).data.find((c: Fields) => c.number === ambi.customer_id).id;
    const goneNumber = (await canonical(token, gone.id)).customer.number;

    for (const id of [gone.id, ambiId]) {
      expect(await ok('DELETE', `/api/customers/${id}`, token)).toEqual({ success: true, data: { id, deleted: true } });
    }

    for (const number of [goneNumber, ambi.customer_id]) {
      const res = await api('GET', `/api/customers/getCustomers/${number}`, { token });
      expect(res.status).toBe(404);
      expect(res.body).toEqual(ambiosysError());
    }
    for (const id of [gone.id, ambiId]) {
      const res = await upwellCall('GET', `/api/rest/customers/${id}`, token);
      expect(res.status).toBe(404);
      expect(res.body).toEqual(upwellError('RESOURCE_NOT_FOUND'));
      expect((await upwellCall('PUT', `/api/rest/customers/${id}`, token, { body: { input: { name: 'Back' } } })).status).toBe(404);
    }

    const ambiosysList = await ok('GET', '/api/customers/getCustomers', token);
    expect(ambiosysList).toEqual({ success: true, clientes: [{ ...asAmbiosys(keep), total_count: 1 }], totalCount: 1, page: 0, pageSize: 10 });
    expect((await ok('GET', '/api/customers/getCustomers?search=gone', token)).totalCount).toBe(0);
    expect((await ok('GET', '/api/customers/getCustomers?search=t-9', token)).totalCount).toBe(0);
    expect(await ok('GET', '/api/rest/customers', token)).toEqual({ customers: [asUpwell(keep, [])], customersAggregate: { aggregate: { count: 1 } } });
    expect((await ok('GET', `/api/addresses?customer_id=${gone.id}`, token)).data).toEqual([]);
    expect((await ok('GET', `/api/contacts?customer_id=${gone.id}`, token)).data).toEqual([]);
    await expectSameEverywhere(token, keep.id);
  });
});

describe('GET /api/rest/customers/{id}', () => {
  it("uses the same timestamps as the other APIs, to the millisecond", async () => {
    const { token } = await workspace();
    const { customer: ambi } = await ok('POST', '/api/customers/create', token, { name: 'Clock' }, 201);
    const [c] = (await ok('GET', '/api/customers', token)).data;
    const { customer } = await ok('GET', `/api/rest/customers/${c.id}`, token);
    expect([customer.createdAt, customer.updatedAt]).toEqual([ambi.created_at, ambi.updated_at]);
    expect([c.created_at, c.updated_at]).toEqual([ambi.created_at, ambi.updated_at]);
    expect(at(customer.createdAt)).toBe(customer.createdAt);
  });
});
