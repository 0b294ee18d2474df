import { connect, type NatsConnection } from '@nats-io/transport-node';
import {
  AckPolicy,
  DeliverPolicy,
  StorageType,
  jetstream,
  jetstreamManager,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
} from '@nats-io/jetstream';
import type { Logger } from 'pino';
import type { ConsumerSpec, BusMessage, EventBus, Subscription } from './bus.js';
import {
  DOMAINS,
  decodeEvent,
  domainOfPattern,
  encodeEvent,
  streamName,
  type EventEnvelope,
} from './envelope.js';
import { InFlight } from './in-flight.js';

const nanos = (ms: number) => ms * 1_000_000;

export interface NatsBusOptions {
  servers: string;
  name: string;
  logger: Logger;
  /** JetStream de-duplication window; DESIGN.md asks for at least two minutes. */
  duplicateWindowMs?: number;
  /** Stream replicas (3 on the production cluster, 1 on a single server). */
  replicas?: number;
}

/** Stream and consumer definitions are applied idempotently at start, by every service. */
async function ensureStreams(jsm: JetStreamManager, duplicateWindowMs: number, replicas: number): Promise<void> {
  for (const domain of DOMAINS) {
    const config = {
      name: streamName(domain),
      subjects: [`${domain}.>`],
      storage: StorageType.File,
      duplicate_window: nanos(duplicateWindowMs),
      num_replicas: replicas,
    };
    try {
      await jsm.streams.add(config);
    } catch {
      await jsm.streams.update(config.name, config);
    }
  }
}

function consumerName(durable: string, pattern: string): string {
  const suffix = pattern.replace(/\./g, '_').replace(/\*/g, 'star').replace(/>/g, 'all');
  return `${durable}__${suffix}`;
}

export class NatsEventBus implements EventBus {
  readonly kind = 'nats' as const;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly logger: Logger,
  ) {}

  static async connect(options: NatsBusOptions): Promise<NatsEventBus> {
    const nc = await connect({
      servers: options.servers.split(',').map((s) => s.trim()),
      name: options.name,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
      // Otherwise every request and JetStream publish builds two Error objects up front, only to
      // enrich the stack of a failure: a third of the publish cost on the outbox relay's path.
      noAsyncTraces: true,
    });
    const jsm = await jetstreamManager(nc);
    await ensureStreams(jsm, options.duplicateWindowMs ?? 120_000, options.replicas ?? 1);
    return new NatsEventBus(nc, jetstream(nc), jsm, options.logger);
  }

  async publish(event: EventEnvelope): Promise<void> {
    await this.js.publish(event.type, encodeEvent(event), { msgID: event.id });
  }

  async subscribe(spec: ConsumerSpec, handle: (delivery: BusMessage) => Promise<void>): Promise<Subscription> {
    const inFlight = new InFlight(spec.concurrency ?? 8);
    const iterators: ConsumerMessages[] = [];
    let stopping = false;
    const loops: Promise<void>[] = [];
    for (const pattern of spec.subjects) {
      const stream = streamName(domainOfPattern(pattern));
      const name = consumerName(spec.durable, pattern);
      const config = {
        durable_name: name,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        filter_subject: pattern,
        ack_wait: nanos(spec.ackWaitMs ?? 30_000),
        // Attempts are counted by the consumer runner, which stores a dead letter itself.
        max_deliver: -1,
        max_ack_pending: spec.maxAckPending ?? 1_000,
      };
      try {
        await this.jsm.consumers.add(stream, config);
      } catch {
        await this.jsm.consumers.update(stream, name, { ack_wait: config.ack_wait, max_ack_pending: config.max_ack_pending });
      }
      const consumer = await this.js.consumers.get(stream, name);
      const messages = await consumer.consume({ max_messages: (spec.concurrency ?? 8) * 2 });
      iterators.push(messages);
      loops.push(
        (async () => {
          for await (const message of messages) {
            // Pulled but not started when we stop: hand it back now rather than after the ack wait.
            if (stopping) {
              message.nak();
              continue;
            }
            let event: EventEnvelope;
            try {
              event = decodeEvent(message.data);
            } catch (error) {
              this.logger.error({ err: error, subject: message.subject, seq: message.seq }, 'undecodable message terminated');
              message.term();
              continue;
            }
            await inFlight.run(() =>
              handle({
                event,
                attempt: message.info.deliveryCount,
                ack: () => message.ack(),
                nak: (delayMs) => message.nak(delayMs),
                term: () => message.term(),
              }),
            );
          }
        })(),
      );
    }
    return {
      stop: async () => {
        stopping = true;
        for (const messages of iterators) messages.stop();
        await Promise.allSettled(loops);
        await inFlight.drain();
      },
    };
  }

  async check(): Promise<true | string> {
    if (this.nc.isClosed()) return 'NATS connection closed';
    try {
      await this.nc.rtt();
      return true;
    } catch (error) {
      return `NATS unreachable: ${(error as Error).message}`;
    }
  }

  async close(): Promise<void> {
    if (!this.nc.isClosed()) await this.nc.drain();
  }
}
