import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * A link the owner can decide with. Hash only; valid while its request is pending and it is
 * unused. The request e-mail and the reminder each carry one.
 */
@Entity({ tableName: 'approval_token' })
@Index({ properties: ['approvalId'] })
export class ApprovalToken {
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @Property({ type: 'string', length: 64 })
  approvalId!: string;

  @Property({ type: 'string', length: 64, unique: true })
  tokenHash!: string;

  /** `request` or `reminder`. */
  @Property({ type: 'string', length: 20 })
  purpose!: string;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', nullable: true })
  usedAt?: Date | null;
}
