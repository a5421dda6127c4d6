/** `metadata[key]=value` filters on the customer list, through the customer_metadata index. */
import { describe, expect, it } from 'vitest';
import { errorBody, invalid, issuesAt } from '../errors';
import { createCustomer } from '../fixtures';
import { api, snapshot, workspace } from '../helpers';

const ids = (res: { body: { data: { id: string }[] } }) => res.body.data.map((c) => c.id);

describe('metadata filters', () => {
  it('list the customers whose metadata has every key and value asked for', async () => {
    const { token } = await workspace();
    const gold = await createCustomer(token, { metadata: { tier: 'gold', region: 'emea' } });
    const goldUs = await createCustomer(token, { metadata: { tier: 'gold', region: 'us' } });
    await createCustomer(token, { metadata: { tier: 'silver' } });
    await createCustomer(token);
    expect(ids(await api('GET', '/api/customers?metadata[tier]=gold', { token }))).toEqual([gold.id, goldUs.id]);
    expect(ids(await api('GET', '/api/customers?metadata[tier]=gold&metadata[region]=us', { token }))).toEqual([goldUs.id]);
    expect(ids(await api('GET', `/api/customers?${encodeURIComponent('metadata[tier]')}=gold&type=company&q=acme`, { token }))).toEqual([gold.id, goldUs.id]);
    expect(ids(await api('GET', '/api/customers?metadata[tier]=bronze', { token }))).toEqual([]);
    // Values match exactly (metadata is not folded).
    expect(ids(await api('GET', '/api/customers?metadata[tier]=Gold', { token }))).toEqual([]);
  });

  it('follows every write of the metadata: PATCH, Upwell, delete', async () => {
    const { workspaceId, token } = await workspace();
    const customer = await createCustomer(token, { metadata: { tier: 'gold' } });
    await api('PATCH', `/api/customers/${customer.id}`, { token, body: { metadata: { tier: 'silver', seats: '12' } } });
    expect(ids(await api('GET', '/api/customers?metadata[tier]=gold', { token }))).toEqual([]);
    expect(ids(await api('GET', '/api/customers?metadata[seats]=12', { token }))).toEqual([customer.id]);
    await api('PUT', `/api/rest/customers/${customer.id}`, { token, body: { input: { metadata: { tier: 'gold' } } } });
    expect(ids(await api('GET', '/api/customers?metadata[tier]=gold', { token }))).toEqual([customer.id]);
    expect((await snapshot(workspaceId)).customer_metadata).toEqual([{ customer_id: customer.id, workspace_id: workspaceId, key: 'tier', value: 'gold' }]);
    await api('DELETE', `/api/customers/${customer.id}`, { token });
    expect((await snapshot(workspaceId)).customer_metadata).toEqual([]);
  });

  it('refuses a bad filter with a 400 naming it', async () => {
    const { token } = await workspace();
    const six = Array.from({ length: 6 }, (_, i) => `metadata[k${i}]=v`).join('&');
    expect((await api('GET', `/api/customers?${six}`, { token })).body).toEqual(invalid('metadata'));
    expect((await api('GET', `/api/customers?metadata[${'k'.repeat(41)}]=v`, { token })).body).toEqual(errorBody('validation_error', { issues: issuesAt(`metadata.${'k'.repeat(41)}`) }));
    expect((await api('GET', '/api/customers?metadata[]=v', { token })).body).toEqual(errorBody('validation_error', { issues: issuesAt('metadata.') }));
    expect((await api('GET', '/api/customers?metadata=v', { token })).body).toEqual(invalid('metadata'));
    expect((await api('GET', '/api/customers?metadata[__proto__]=v', { token })).body).toEqual(invalid('metadata[__proto__]'));
    // Gathering the metadata parameters must not drop one named __proto__ (a counterexample of bad-urls.test.ts).
    expect((await api('GET', '/api/customers?__proto__=company', { token })).body).toEqual(invalid('__proto__'));
    expect((await api('GET', '/api/customers?metadata[tier]=gold&order=updated_at', { token })).body).toEqual(invalid('metadata'));
  });
});
