import { context, propagation, trace, SpanKind, SpanStatusCode, type Context, type Span } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

/** The tracer every kit component uses; a no-op until `initTracing` registers a provider. */
export const tracer = () => trace.getTracer('switchboard');

let provider: NodeTracerProvider | undefined;

/**
 * Registers the process-wide tracer provider (W3C trace context, async-hooks context manager).
 * Exports over OTLP/HTTP when `OTEL_EXPORTER_OTLP_ENDPOINT` is set, or to `exporter` (tests);
 * otherwise tracing stays a no-op. Apollo Gateway's own spans join in once a provider exists.
 */
export function initTracing(options: { serviceName: string; env?: Record<string, string | undefined>; exporter?: SpanExporter }): boolean {
  if (provider) return true;
  const env = options.env ?? process.env;
  const endpoint = env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!options.exporter && !endpoint) return false;
  provider = new NodeTracerProvider({
    resource: new Resource({ 'service.name': env.OTEL_SERVICE_NAME ?? options.serviceName }),
    spanProcessors: [
      options.exporter ? new SimpleSpanProcessor(options.exporter) : new BatchSpanProcessor(new OTLPTraceExporter()),
    ],
  });
  provider.register();
  return true;
}

export async function shutdownTracing(): Promise<void> {
  await provider?.shutdown();
  provider = undefined;
}

/** The W3C `traceparent` of the active span, for event envelopes and outbound calls. */
export function currentTraceparent(): string | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent;
}

/** Writes the active trace context into outgoing headers. */
export function injectTraceHeaders(headers: Record<string, string>): Record<string, string> {
  propagation.inject(context.active(), headers);
  return headers;
}

export function contextFrom(carrier: Record<string, string | string[] | undefined>): Context {
  return propagation.extract(context.active(), carrier, {
    get: (c, key) => {
      const value = c[key];
      return Array.isArray(value) ? value[0] : value;
    },
    keys: (c) => Object.keys(c),
  });
}

/** Runs `work` in a new span (child of `parent` when given), ending it with the outcome. */
export async function inSpan<T>(
  name: string,
  options: { kind?: SpanKind; parent?: Context; attributes?: Record<string, string | number | boolean> },
  work: (span: Span) => Promise<T>,
): Promise<T> {
  const parent = options.parent ?? context.active();
  const span = tracer().startSpan(name, { kind: options.kind, attributes: options.attributes }, parent);
  return context.with(trace.setSpan(parent, span), async () => {
    try {
      return await work(span);
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      throw error;
    } finally {
      span.end();
    }
  });
}

export { SpanKind };
