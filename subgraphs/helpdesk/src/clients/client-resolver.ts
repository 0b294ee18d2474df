import { badInput, normalizeEmail, notFound, type GraphQLContext } from '@switchboard/kit';
import { Arg, Authorized, Ctx, Field, InputType, Mutation, ObjectType, Query, Resolver } from 'type-graphql';
import type { HelpdeskDeps } from '../deps.js';
import { ClientDeployment } from './client-deployment.js';
import { normalizeLabel } from './client-rules.js';
import { registerClient, rotateClientKey } from './client-store.js';

type Ctx = GraphQLContext<HelpdeskDeps>;

@ObjectType('HelpdeskClientKey', { description: 'A client deployment with its API key. The key is shown only here, once.' })
class ClientWithKey {
  @Field(() => ClientDeployment) client!: ClientDeployment;
  @Field(() => String) apiKey!: string;
}

@InputType()
class RegisterHelpdeskClientInput {
  @Field(() => String, { description: 'Upper-case tag, e.g. ENTECH.' }) label!: string;
  @Field(() => String) name!: string;
  @Field(() => String, { nullable: true }) team?: string | null;
  @Field(() => String, { nullable: true }) companyName?: string | null;
  @Field(() => String, { nullable: true }) ownerEmail?: string | null;
  @Field(() => String, { nullable: true }) ownerName?: string | null;
}

@InputType()
class UpdateHelpdeskClientInput {
  @Field(() => String, { nullable: true }) name?: string | null;
  @Field(() => String, { nullable: true, description: 'Empty string clears it.' }) team?: string | null;
  @Field(() => String, { nullable: true, description: 'Empty string clears it.' }) companyName?: string | null;
  @Field(() => String, { nullable: true, description: 'Empty string clears it (approvals then refuse).' }) ownerEmail?: string | null;
  @Field(() => String, { nullable: true, description: 'Empty string clears it.' }) ownerName?: string | null;
  @Field(() => Boolean, { nullable: true, description: 'False refuses the key until set back to true.' }) active?: boolean | null;
}

function ownerEmailOf(raw: string | null | undefined): string | null | undefined {
  if (raw === undefined || raw === null) return raw;
  if (!raw.trim()) return null;
  const email = normalizeEmail(raw);
  if (!email) throw badInput('ownerEmail must be a valid e-mail address', 'ownerEmail');
  return email;
}

function text(raw: string | null | undefined, field: string, max: number): string | null | undefined {
  if (raw === undefined || raw === null) return raw;
  const value = raw.trim();
  if (value.length > max) throw badInput(`${field} is longer than ${max} characters`, field);
  return value || null;
}

@Resolver(() => ClientDeployment)
export class ClientResolver {
  @Authorized('support')
  @Query(() => [ClientDeployment], { description: 'Client deployments (tenants) whose apps file tickets.' })
  helpdeskClients(@Ctx() ctx: Ctx): Promise<ClientDeployment[]> {
    return ctx.em.find(ClientDeployment, {}, { orderBy: { label: 'asc' } });
  }

  @Authorized('admin')
  @Mutation(() => ClientWithKey, { description: 'Register a client deployment and issue its API key (stored hashed; shown once).' })
  async registerHelpdeskClient(@Ctx() ctx: Ctx, @Arg('input', () => RegisterHelpdeskClientInput) input: RegisterHelpdeskClientInput): Promise<ClientWithKey> {
    const label = normalizeLabel(input.label);
    if (!label) throw badInput('label must be 1 to 40 letters, digits, - or _ (e.g. ENTECH)', 'label');
    const name = text(input.name, 'name', 200);
    if (!name) throw badInput('name is required', 'name');
    return ctx.deps.transaction(async ({ em }) => {
      if (await em.findOne(ClientDeployment, { label })) throw badInput(`client ${label} already exists; rotate its key instead`, 'label');
      const { client, apiKey } = registerClient(em, {
        label,
        name,
        team: text(input.team, 'team', 100) ?? null,
        companyName: text(input.companyName, 'companyName', 200) ?? null,
        ownerEmail: ownerEmailOf(input.ownerEmail) ?? null,
        ownerName: text(input.ownerName, 'ownerName', 200) ?? null,
      });
      return Object.assign(new ClientWithKey(), { client, apiKey });
    });
  }

  @Authorized('admin')
  @Mutation(() => ClientWithKey, { description: 'Issue a new API key; the old one stops working at once.' })
  async rotateHelpdeskClientKey(@Ctx() ctx: Ctx, @Arg('label', () => String) label: string): Promise<ClientWithKey> {
    return ctx.deps.transaction(async ({ em }) => {
      const client = await em.findOne(ClientDeployment, { label: label.trim().toUpperCase() });
      if (!client) throw notFound(`no client deployment labelled ${label}`);
      const apiKey = rotateClientKey(client);
      return Object.assign(new ClientWithKey(), { client, apiKey });
    });
  }

  @Authorized('support')
  @Mutation(() => ClientDeployment)
  async updateHelpdeskClient(
    @Ctx() ctx: Ctx,
    @Arg('label', () => String) label: string,
    @Arg('input', () => UpdateHelpdeskClientInput) input: UpdateHelpdeskClientInput,
  ): Promise<ClientDeployment> {
    if (input.active != null && !ctx.identity!.roles.includes('admin')) {
      throw badInput('only an admin may switch a client deployment on or off', 'active');
    }
    return ctx.deps.transaction(async ({ em }) => {
      const client = await em.findOne(ClientDeployment, { label: label.trim().toUpperCase() });
      if (!client) throw notFound(`no client deployment labelled ${label}`);
      const name = text(input.name, 'name', 200);
      if (name) client.name = name;
      const team = text(input.team, 'team', 100);
      if (team !== undefined) client.team = team;
      const company = text(input.companyName, 'companyName', 200);
      if (company !== undefined) client.companyName = company;
      const ownerEmail = ownerEmailOf(input.ownerEmail);
      if (ownerEmail !== undefined) client.ownerEmail = ownerEmail;
      const ownerName = text(input.ownerName, 'ownerName', 200);
      if (ownerName !== undefined) client.ownerName = ownerName;
      if (input.active != null) client.active = input.active;
      client.updatedAt = new Date();
      return client;
    });
  }
}
