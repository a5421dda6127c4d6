/**
 * The client against a running Worker: creates a customer, reads it, renames
 * it with If-Match, finds it by a filter, and deletes it, printing each step.
 *
 *   node client/example.ts --url http://127.0.0.1:8787 --token <token>
 *
 * (or CUSTOMERS_API_URL and CUSTOMERS_API_TOKEN). The token needs the write
 * scope. Exit code 1 with the API's error body when a step fails, 2 on bad
 * arguments.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { createCustomersClient, type Customer } from './index.ts';

const USAGE = 'usage: node client/example.ts --url <origin> --token <token>  (or CUSTOMERS_API_URL, CUSTOMERS_API_TOKEN)';

function options(): { url: string; token: string } {
  let values;
  try {
    ({ values } = parseArgs({ options: { url: { type: 'string' }, token: { type: 'string' } } }));
  } catch (error) {
    return usage((error as Error).message);
  }
  const url = values.url ?? process.env.CUSTOMERS_API_URL;
  const token = values.token ?? process.env.CUSTOMERS_API_TOKEN;
  if (!url || !URL.canParse(url)) return usage('--url must be the API origin, e.g. http://127.0.0.1:8787');
  if (!token) return usage('--token is required');
  return { url, token };
}

function usage(problem: string): never {
  console.error(`${problem}\n${USAGE}`);
  process.exit(2);
}

/** The data of a successful call; otherwise the step, the status and the API's error body on stderr, and exit 1. */
function ok<Data, Failure>(step: string, result: { data?: Data; error?: Failure; response: Response }): Data {
  if (result.response.ok && result.data !== undefined) return result.data;
  console.error(`${step} failed: HTTP ${result.response.status}`);
  console.error(typeof result.error === 'string' ? result.error : JSON.stringify(result.error, null, 2));
  process.exit(1);
}

const show = (customer: Customer) => `${customer.id} #${customer.number} ${JSON.stringify(customer.name)}`;

async function main() {
  const { url, token } = options();
  const api = createCustomersClient({ baseUrl: url, token });
  // A CRM id of this run only, so that the filtered list finds this customer alone.
  const crmId = `example-${randomUUID()}`;

  const created = ok(
    'create',
    await api.POST('/api/customers', {
      body: { name: 'Example Trading Ltd', type: 'company', id_crm: crmId, tax_ids: [{ tax: 'VAT', tax_value: 'GB123456789' }] },
    }),
  ).data;
  console.log(`created  ${show(created)}`);

  const read = await api.GET('/api/customers/{id}', { params: { path: { id: created.id } } });
  const detail = ok('read', read).data;
  const etag = read.response.headers.get('ETag') ?? '*';
  console.log(`read     ${show(detail)} ETag ${etag}, ${detail.contact_ids.length} contacts, ${detail.address_ids.length} addresses`);

  // If-Match: the rename applies only if nobody changed the customer since the read (412 otherwise).
  const patched = await api.PATCH('/api/customers/{id}', {
    params: { path: { id: created.id }, header: { 'If-Match': etag } },
    body: { name: 'Example Trading', legal_name: 'Example Trading Limited' },
  });
  const updated = ok('update', patched).data;
  console.log(`updated  ${show(updated)} legal_name ${JSON.stringify(updated.legal_name)} ETag ${patched.response.headers.get('ETag')}`);

  const page = ok('list', await api.GET('/api/customers', { params: { query: { id_crm: crmId, limit: 10 } } }));
  console.log(`listed   ${page.data.length} with id_crm ${crmId}: ${page.data.map((c) => c.id).join(', ')}`);

  const deleted = ok(
    'delete',
    await api.DELETE('/api/customers/{id}', {
      params: { path: { id: created.id }, header: { 'If-Match': patched.response.headers.get('ETag') ?? '*' } },
    }),
  ).data;
  console.log(`deleted  ${deleted.id}`);
}

main().catch((error: unknown) => {
  // Not an API error (those exit in ok()): the server unreachable, say.
  const cause = error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : '';
  console.error(`failed: ${error instanceof Error ? error.message : String(error)}${cause}`);
  process.exit(1);
});
