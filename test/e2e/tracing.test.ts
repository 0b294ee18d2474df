import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { initTracing, shutdownTracing } from '@switchboard/kit';
import { eventually } from '@switchboard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSystem, type TestSystem } from '../support/test-system.js';

describe('one trace from the gateway to the consumers of the events a request causes', () => {
  const exporter = new InMemorySpanExporter();
  let sb: TestSystem;
  beforeAll(async () => {
    initTracing({ serviceName: 'e2e', exporter });
    sb = await startTestSystem({ bus: 'nats', db: 'sqlite' });
  });
  afterAll(async () => {
    await sb?.stop();
    await shutdownTracing();
  });

  it('gateway → commerce → commerce.customer.upserted → billing consumer share the trace id', async () => {
    const traceId = 'a3ce929d0e0e47364bf92f3577b34da6';
    const response = await fetch(`${sb.gatewayUrl}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${await sb.token(['ops'])}`,
        traceparent: `00-${traceId}-b7ad6b7169203331-01`,
      },
      body: JSON.stringify({ query: 'mutation { upsertCustomer(input: { email: "traced@example.com", name: "Traced" }) { email } }' }),
    });
    expect(response.status).toBe(200);
    const spans = await eventually(
      async () => exporter.getFinishedSpans(),
      (all) => all.some((s) => s.name === 'consume commerce.customer.upserted'),
    );
    const inTrace = spans.filter((s) => s.spanContext().traceId === traceId).map((s) => s.name);
    expect(inTrace).toEqual(expect.arrayContaining(['POST /graphql', 'consume commerce.customer.upserted']));
    // The gateway's server span and the subgraph's server span are both in the trace.
    expect(inTrace.filter((name) => name === 'POST /graphql').length).toBeGreaterThanOrEqual(2);
  });
});
