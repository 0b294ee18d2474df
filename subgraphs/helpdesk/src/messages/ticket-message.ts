import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';
import type { MessageAuthorKind } from '../tickets/ticket-rules.js';

export interface AttachmentMeta {
  filename: string;
  contentType: string;
  sizeBytes: number;
  /** Where the file lives (the client app's storage); the helpdesk keeps metadata only. */
  url?: string | null;
}

/** One message in a ticket's thread: a public reply or an internal note. Ids grow over time. */
@Entity({ tableName: 'ticket_message' })
@Index({ properties: ['ticketId', 'id'] })
export class TicketMessage {
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @Property({ type: 'string', length: 64 })
  ticketId!: string;

  @Property({ type: 'string', length: 20 })
  authorKind!: MessageAuthorKind;

  @Property({ type: 'string', length: 254, nullable: true })
  authorEmail?: string | null;

  @Property({ type: 'string', length: 200, nullable: true })
  authorName?: string | null;

  /** Sanitized HTML. */
  @Property({ type: 'text' })
  body!: string;

  @Property({ type: 'string', length: 20 })
  visibility!: 'public' | 'internal';

  @Property({ type: 'json', nullable: true })
  attachments?: AttachmentMeta[] | null;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();
}
