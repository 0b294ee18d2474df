import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { eventually } from '@switchboard/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { createSubgraphService, IDENTITY_HEADER, initTracing, shutdownTracing, signIdentity } from '../src/index.js';
import { TestInfrastructure, quietLogger } from './support/environments.js';
import { signedGraphql, SIGNING_SECRET } from './support/graphql.js';
import { probeDefinition, type ProbeControl } from './support/probe-service.js';

describe('tracing', () => {
  const exporter = new InMemorySpanExporter();
  const infra = new TestInfrastructure();
  afterAll(async () => {
    await shutdownTracing();
    await infra.stop();
  });

  it('follows a request into the events it emits and the consumers that apply them', async () => {
    expect(initTracing({ serviceName: 'test', exporter })).toBe(true);
    const control: ProbeControl = { failing: false, attempts: [] };
    const service = await createSubgraphService(probeDefinition(control), {
      bus: await infra.bus('nats'),
      logger: quietLogger,
      env: { DATABASE_URL: await infra.databaseUrl('sqlite'), GATEWAY_SIGNING_SECRET: SIGNING_SECRET, PORT: '0' },
    });
    await service.start();

    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const response = await service.app.inject({
      method: 'POST',
      url: '/graphql',
      headers: {
        'content-type': 'application/json',
        traceparent: `00-${traceId}-00f067aa0ba902b7-01`,
        [IDENTITY_HEADER]: signIdentity({ sub: 't', roles: ['ops'], via: 'jwt' }, SIGNING_SECRET),
      },
      payload: { query: 'mutation { probeEmit(note: "traced") }' },
    });
    expect(response.statusCode).toBe(200);
    await eventually(async () => control.attempts.length, (n) => n === 1);

    const spans = await eventually(
      async () => exporter.getFinishedSpans(),
      (all) => all.some((s) => s.name === 'consume billing.probe.requested'),
    );
    const server = spans.find((s) => s.name === 'POST /graphql')!;
    const consumer = spans.find((s) => s.name === 'consume billing.probe.requested')!;
    expect(server.spanContext().traceId).toBe(traceId);
    expect(consumer.spanContext().traceId).toBe(traceId);
    expect(consumer.attributes['messaging.message.id']).toBeTypeOf('string');
    expect(server.attributes['request.id']).toBeTypeOf('string');

    // Unsigned or untraced requests still work and start their own traces.
    const plain = await signedGraphql(service.app, '{ probeEffects }');
    expect(plain.body.data.probeEffects).toBe(1);
    await service.stop();
  });
});
