import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import { Directive, Field, ObjectType } from 'type-graphql';

/** A customer's commerce profile. Commerce owns the federated `Customer` entity. */
@Entity({ tableName: 'customer' })
@ObjectType('Customer')
@Directive('@key(fields: "email")')
export class Customer {
  @PrimaryKey({ type: 'string', length: 254 })
  @Field(() => String, { description: 'Trimmed, lower-case e-mail: the key every subgraph shares.' })
  email!: string;

  @Property({ type: 'string', length: 200 })
  @Field(() => String)
  name!: string;

  @Property({ type: 'datetime' })
  @Field(() => Date)
  createdAt: Date = new Date();

  @Property({ type: 'datetime' })
  @Field(() => Date)
  updatedAt: Date = new Date();
}
