import { seedHelpdeskDemo } from '@switchboard/helpdesk';
import { seedPaymentsDemo } from '@switchboard/payments';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '@switchboard/testkit';
import { startTestSystem, type BusKind, type DbKind, type TestSystem } from '../support/test-system.js';

const CUSTOMER_360 = `query($email: String!) {
  customer(email: $email) {
    email name
    billingAccount { number status balance { amount currency } }
    payments { id kind status amount { amount currency } }
    tickets { reference stage }
    openTicketCount
  }
}`;

const MATRIX: [BusKind, DbKind][] = [
  ['nats', 'sqlite'],
  ['nats', 'postgres'],
  ['in-process', 'sqlite'],
];

describe.each(MATRIX)('federated Customer through the gateway (%s bus, %s)', (bus, db) => {
  let sb: TestSystem;

  beforeAll(async () => {
    sb = await startTestSystem({ bus, db });
    await seedPaymentsDemo(sb.system.services.payments!.deps);
    await seedHelpdeskDemo(sb.system.services.helpdesk!.deps);
  });
  afterAll(async () => sb?.stop());

  it('returns fields from all four subgraphs once commerce announces the customer', async () => {
    const upsert = await sb.graphql(
      'mutation($input: UpsertCustomerInput!) { upsertCustomer(input: $input) { email name } }',
      { input: { email: '  Ada@Example.COM ', name: 'Ada Lovelace' } },
      ['support'],
    );
    expect(upsert.body).toEqual({ data: { upsertCustomer: { email: 'ada@example.com', name: 'Ada Lovelace' } } });

    // billing opens the account from commerce.customer.upserted, through the outbox and the bus.
    const result = await eventually(
      () => sb.graphql(CUSTOMER_360, { email: 'ADA@example.com' }),
      (r) => r.body.data?.customer?.billingAccount !== null,
    );
    expect(result.body.errors).toBeUndefined();
    const customer = result.body.data.customer;
    expect(customer).toMatchObject({
      email: 'ada@example.com',
      name: 'Ada Lovelace',
      billingAccount: { status: 'active', balance: { amount: '0.00', currency: 'USD' } },
      openTicketCount: 1,
    });
    expect(customer.billingAccount.number).toMatch(/^BA-\d{6}$/);
    expect(customer.payments.map((p: { id: string }) => p.id).sort()).toEqual(['demo-charge-1', 'demo-refund-1']);
    expect(customer.payments.find((p: { id: string }) => p.id === 'demo-charge-1').amount).toEqual({ amount: '120.00', currency: 'USD' });
    expect(customer.tickets.map((t: { reference: string }) => t.reference).sort()).toEqual(['HD-000001', 'HD-000002']);
  });

  it('renaming a customer updates the billing account once; re-sending the same upsert emits nothing', async () => {
    const rename = 'mutation($input: UpsertCustomerInput!) { upsertCustomer(input: $input) { name } }';
    await sb.graphql(rename, { input: { email: 'grace@example.com', name: 'Grace Hopper' } }, ['ops']);
    await sb.graphql(rename, { input: { email: 'grace@example.com', name: 'Grace B. Hopper' } }, ['ops']);
    await sb.graphql(rename, { input: { email: 'grace@example.com', name: 'Grace B. Hopper' } }, ['ops']);
    const account = await eventually(
      () => sb.graphql('{ billingAccount(email: "grace@example.com") { name } }', {}, ['finance']),
      (r) => r.body.data?.billingAccount?.name === 'Grace B. Hopper',
    );
    expect(account.body.data.billingAccount.name).toBe('Grace B. Hopper');
    const outbox = await sb.system.services.commerce!.deps.db.em().getConnection().execute(
      "select count(*) as n from outbox_event where type = 'commerce.customer.upserted' and envelope like '%grace@example.com%'",
    );
    expect(Number(outbox[0].n)).toBe(2);
  });

  it('resolves entity references in one query per subgraph for many customers', async () => {
    const add = 'mutation($input: UpsertCustomerInput!) { upsertCustomer(input: $input) { email } }';
    for (const n of [1, 2, 3, 4, 5]) await sb.graphql(add, { input: { email: `batch${n}@example.com`, name: `Batch ${n}` } }, ['ops']);
    await eventually(
      () => sb.graphql('{ customers(search: "batch") { billingAccount { number } } }'),
      (r) => r.body.data?.customers?.length === 5 && r.body.data.customers.every((c: any) => c.billingAccount),
    );
    sb.resetQueries();
    const all = await sb.graphql('{ customers(search: "batch") { email billingAccount { number } payments { id } tickets { id } openTicketCount } }');
    expect(all.body.errors).toBeUndefined();
    expect(all.body.data.customers).toHaveLength(5);
    const selects = (service: string, table: string) =>
      (sb.queries.get(service) ?? []).filter((q) => /select/i.test(q) && new RegExp(`from ["\`]${table}["\`]`).test(q));
    expect(selects('billing', 'billing_account')).toHaveLength(1);
    expect(selects('payments', 'payment')).toHaveLength(1);
    expect(selects('helpdesk', 'ticket')).toHaveLength(1); // tickets and openTicketCount share one load
  });

  it('refuses a GraphQL request sent straight to a subgraph without the gateway signature', async () => {
    for (const service of Object.values(sb.system.services)) {
      const response = await fetch(`${service.url()}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${await sb.token(['admin'])}` },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      expect(response.status).toBe(401);
      expect(((await response.json()) as any).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    }
  });

  it('answers bad input with clear errors, never a crash', async () => {
    const badEmail = await sb.graphql(
      'mutation { upsertCustomer(input: { email: "not-an-email", name: "X" }) { email } }',
      {},
      ['ops'],
    );
    expect(badEmail.body.errors[0]).toMatchObject({
      message: 'email must be a valid e-mail address',
      extensions: { code: 'BAD_USER_INPUT', field: 'email' },
    });

    const forbidden = await sb.graphql('mutation { upsertCustomer(input: { email: "a@b.co", name: "X" }) { email } }', {}, ['finance']);
    expect(forbidden.body.errors[0].extensions.code).toBe('FORBIDDEN');

    const syntax = await sb.graphql('{ customer(email: ', {});
    expect(syntax.status).toBe(400);
    expect(syntax.body.errors[0].message).toMatch(/Syntax Error/);

    const unknownField = await sb.graphql('{ customer(email: "ada@example.com") { shoeSize } }');
    expect(unknownField.status).toBe(400);
    expect(unknownField.body.errors[0].message).toMatch(/Cannot query field "shoeSize"/);

    const expired = await fetch(`${sb.gatewayUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await sb.token(['admin'], { ttlSeconds: -60 })}` },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(expired.status).toBe(401);
    expect(((await expired.json()) as any).errors[0].message).toMatch(/expired/);

    // The system is still healthy after all of that.
    const health = await fetch(`${sb.gatewayUrl}/readyz`);
    expect(health.status).toBe(200);
  });
});
