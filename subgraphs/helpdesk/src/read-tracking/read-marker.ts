import { Entity, PrimaryKey, Property, Unique } from '@mikro-orm/core';

/**
 * How far one reader has read one ticket (the seed's `fusion.helpdesk.ticket.seen`): metadata
 * only, one row per (reader, ticket), and the id only ever goes up.
 */
@Entity({ tableName: 'ticket_read_marker' })
@Unique({ properties: ['reader', 'ticketId'] })
export class ReadMarker {
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  /** See `readerKey`: `user:<LABEL>:<email>` or `agent:<sub>`. */
  @Property({ type: 'string', length: 320 })
  reader!: string;

  @Property({ type: 'string', length: 64 })
  ticketId!: string;

  @Property({ type: 'integer' })
  lastSeenMessageId: number = 0;

  @Property({ type: 'datetime' })
  updatedAt: Date = new Date();
}
