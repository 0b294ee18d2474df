import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * A magic link to one ticket's customer page. Every e-mail carries its own link; only the hash
 * of the token is stored; rotating a ticket's links revokes them all at once.
 */
@Entity({ tableName: 'ticket_access_link' })
@Index({ properties: ['ticketId'] })
export class AccessLink {
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @Property({ type: 'string', length: 64 })
  ticketId!: string;

  @Property({ type: 'string', length: 64, unique: true })
  tokenHash!: string;

  /** Which e-mail it was issued for (`acknowledgement`, `reply`, `access_link`). */
  @Property({ type: 'string', length: 40 })
  purpose!: string;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', nullable: true })
  revokedAt?: Date | null;

  @Property({ type: 'datetime', nullable: true })
  lastUsedAt?: Date | null;
}
