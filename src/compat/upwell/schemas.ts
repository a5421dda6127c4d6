/** Upwell (seed 003) request shapes: Hasura-style inputs, camelCase fields. */
import * as v from 'valibot';
import { customer } from '../../customers/fields';
import { object, oneOf, text } from '../../model/values';
import { addressEntries, contactEntries, customerInsertEntries, customerSetEntries, UPWELL_ADDRESS_TYPES, type UpwellAddressType } from './mapping';

/** Nested rows per customer, and customers per bulk request (see README). */
export const MAX_NESTED_ROWS = 20;
export const MAX_BULK_CUSTOMERS = 50;
/** Contacts and addresses in one bulk request: each is a statement of the one batch. */
export const MAX_BULK_NESTED_ROWS = 200;

/** Hasura's array-relationship insert form, `{"data": [...]}`; `{}` inserts nothing. */
const arrayRelationship = <S extends v.GenericSchema>(item: S, max: number) =>
  v.optional(
    v.pipe(
      v.nullable(object({ data: v.optional(v.pipe(v.array(item), v.maxLength(max, `At most ${max} rows`)), []) })),
      v.transform((rel) => rel?.data ?? []),
    ),
    null,
  );

const noRows = (what: string) =>
  arrayRelationship(v.never(`This service keeps no ${what}`), 0);

const address = object({
  ...addressEntries,
  type: v.optional(oneOf(Object.keys(UPWELL_ADDRESS_TYPES) as [UpwellAddressType, ...UpwellAddressType[]]), 'ADDRESS_BOOK'),
});

const contact = object(contactEntries);

const dueOption = v.nullable(customer.specs.due_option.schema);

/** `customerRule` as Hasura's object-relationship insert `{"data": {"dueOption": n}}`, or `{"dueOption": n}`. */
const customerRule = v.optional(
  v.nullable(
    object({
      data: v.optional(object({ dueOption: v.optional(dueOption) })),
      dueOption: v.optional(dueOption),
    }),
  ),
);

export const CustomersInsertInput = object({
  ...customerInsertEntries,
  addresses: arrayRelationship(address, MAX_NESTED_ROWS),
  contacts: arrayRelationship(contact, MAX_NESTED_ROWS),
  customerRule,
  paymentLineItems: noRows('payments'),
  remittanceLineItems: noRows('remittances'),
});
export type CustomersInsertInput = v.InferOutput<typeof CustomersInsertInput>;

export const CreateCustomer = object({ input: CustomersInsertInput });
export const CreateCustomers = object({
  inputs: v.pipe(
    v.array(CustomersInsertInput, 'Expected an array of customers'),
    v.minLength(1, 'At least one customer'),
    v.maxLength(MAX_BULK_CUSTOMERS, `At most ${MAX_BULK_CUSTOMERS} customers per request`),
    v.check(
      (inputs) => inputs.reduce((n, input) => n + input.addresses.length + input.contacts.length, 0) <= MAX_BULK_NESTED_ROWS,
      `At most ${MAX_BULK_NESTED_ROWS} addresses and contacts in all per request`,
    ),
  ),
});

const CustomersSetInput = object(customerSetEntries);
const CustomerRulesSetInput = object({ dueOption: v.optional(dueOption) });

export const UpdateCustomer = object({
  input: v.optional(CustomersSetInput, {}),
  customerRulesInput: v.optional(CustomerRulesSetInput),
});
export type UpdateCustomer = v.InferOutput<typeof UpdateCustomer>;

export const UpdateCustomerBySource = object({
  sourceSystem: text(),
  sourceSystemId: text(),
  input: v.optional(CustomersSetInput, {}),
  customerRulesInput: v.optional(CustomerRulesSetInput),
});

const pageNumber = (max: number, fallback: string) =>
  v.optional(
    v.pipe(v.string(), v.regex(/^\d{1,6}$/, `Must be an integer from 0 to ${max}`), v.transform(Number), v.maxValue(max, `Must be an integer from 0 to ${max}`)),
    fallback,
  );

export const ListQuery = object({
  limit: v.pipe(pageNumber(100, '25'), v.minValue(1, 'Must be an integer from 1 to 100')),
  offset: pageNumber(100_000, '0'),
});

export const SearchBody = object({
  limit: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(100)), 25),
  offset: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(100_000)), 0),
  orderBy: v.optional(v.unknown()),
  where: v.optional(v.unknown()),
});
