/**
 * What test/bench/gateway.ts sends: the Customer-360 query an ops agent's screen asks for (one
 * customer from commerce, with billing's account and invoices, payments' payments and helpdesk's
 * tickets, and each invoice's tickets — a second hop), and the part of it commerce answers alone.
 * Shared by the orchestrator, the seeding and the load generator.
 */

/** Spans all four subgraphs; the plan is commerce → billing, payments, helpdesk → helpdesk. */
export const CUSTOMER_360 = `query Customer360($email: String!) {
  customer(email: $email) {
    email
    name
    createdAt
    billingAccount { number status currency balance { amount currency } }
    invoices { id number status kind amountDue { amount currency } issuedAt tickets { reference stage } }
    payments { id kind status reference amount { amount currency } createdAt }
    tickets { reference subject kind stage priority createdAt }
    openTicketCount
  }
}`;

/** The same customer, as much of it as the commerce subgraph can answer on its own. */
export const CUSTOMER_COMMERCE_PART = `query Customer360Commerce($email: String!) {
  customer(email: $email) {
    email
    name
    createdAt
  }
}`;

/** An ops agent may read every field of the query (billing's invoices need finance or ops). */
export const BENCH_ROLES = ['ops'];
export const BENCH_SUBJECT = 'bench-ops-agent';
export const BENCH_AGENT_EMAIL = 'ops-agent@bench.switchboard.test';

export const BENCH_JWT_SECRET = 'bench-gateway-jwt-secret-0123456789abcdef';
export const BENCH_SIGNING_SECRET = 'bench-gateway-signing-secret-0123456789';

export function customerEmail(index: number): string {
  return `customer${String(index).padStart(4, '0')}@bench.switchboard.test`;
}

/** One request body per seeded customer, so the load rotates over real, different answers. */
export function requestBodies(query: string, customers: number): string[] {
  return Array.from({ length: customers }, (_, i) => JSON.stringify({ query, variables: { email: customerEmail(i) } }));
}
