import { Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, Int, ObjectType } from 'type-graphql';

/** One ordered keyword rule (data, editable): the first rule whose keyword a line contains wins. */
@Entity({ tableName: 'billing_revenue_family_rule' })
@ObjectType('RevenueFamilyRule')
export class RevenueFamilyRule {
  [OptionalProps]?: 'updatedAt' | 'updatedBy';

  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @Property({ type: 'integer', unique: 'billing_revenue_family_rule_position_unique' })
  @Field(() => Int, { description: 'Order of evaluation, from 1.' })
  position!: number;

  @Property({ type: 'string', length: 40 })
  @Field(() => String)
  family!: string;

  @Property({ type: 'string', length: 200 })
  @Field(() => String, { description: 'Matched case-insensitively as a substring of the line text.' })
  keyword!: string;

  @Property({ type: 'datetime' })
  @Field(() => Date)
  updatedAt: Date = new Date();

  @Property({ type: 'string', length: 200 })
  @Field(() => String)
  updatedBy: string = 'system';
}
