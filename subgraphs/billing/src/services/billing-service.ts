import { Entity, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';

/**
 * An app that bills its customers through us (a cloud host, a live-chat product, a maps API):
 * the authentication and routing boundary. Its API key is kept only as a SHA-256 hash; its
 * webhook secret is sealed with the billing encryption key (it must be read back to sign).
 */
@Entity({ tableName: 'billing_service' })
export class BillingService {
  [OptionalProps]?: 'active' | 'createdAt' | 'updatedAt' | 'webhookUrl' | 'webhookSecretSealed';

  @PrimaryKey({ type: 'string', length: 36 })
  id!: string;

  /** Stable short name (`nexacloud`, `nexamaps`); appears in invoice numbers. */
  @Property({ type: 'string', length: 50 })
  @Unique({ name: 'billing_service_code_unique' })
  code!: string;

  @Property({ type: 'string', length: 200 })
  name!: string;

  @Property({ type: 'string', length: 64 })
  @Unique({ name: 'billing_service_api_key_hash_unique' })
  apiKeyHash!: string;

  /** First characters of the key, so people can tell keys apart without seeing them. */
  @Property({ type: 'string', length: 24 })
  apiKeyPrefix!: string;

  @Property({ type: 'text', nullable: true })
  webhookUrl?: string | null = null;

  @Property({ type: 'text', nullable: true })
  webhookSecretSealed?: string | null = null;

  @Property({ type: 'boolean' })
  active: boolean = true;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime' })
  updatedAt: Date = new Date();
}
