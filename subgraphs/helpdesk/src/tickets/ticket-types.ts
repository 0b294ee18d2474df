import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import type { TicketMessage } from '../messages/ticket-message.js';
import { Ticket } from './ticket.js';

@ObjectType('TicketReporter', { description: 'Who reported the ticket (the seed\'s identity keystone).' })
export class TicketReporter {
  @Field(() => String, { nullable: true, description: 'Normalized; null when the reporter had none (no follow-up possible).' })
  email?: string | null;

  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => String, { nullable: true })
  company?: string | null;
}

@ObjectType('TicketAttachment')
export class AttachmentView {
  @Field(() => String) filename!: string;
  @Field(() => String) contentType!: string;
  @Field(() => Int) sizeBytes!: number;
  @Field(() => String, { nullable: true }) url?: string | null;
}

@ObjectType('TicketMessageAuthor')
export class MessageAuthorView {
  @Field(() => String, { description: '`customer`, `support`, `owner` or `system`.' }) kind!: string;
  @Field(() => String, { nullable: true }) email?: string | null;
  @Field(() => String, { nullable: true }) name?: string | null;
}

@ObjectType('TicketMessage')
export class TicketMessageView {
  @Field(() => ID) id!: string;
  @Field(() => MessageAuthorView) author!: MessageAuthorView;
  @Field(() => String, { description: 'Sanitized HTML.' }) body!: string;
  @Field(() => String, { description: '`public` or `internal` (an internal note, never shown to the reporter).' }) visibility!: string;
  @Field(() => Boolean) internal!: boolean;
  @Field(() => [AttachmentView]) attachments!: AttachmentView[];
  @Field(() => Date) createdAt!: Date;

  static of(message: TicketMessage): TicketMessageView {
    return Object.assign(new TicketMessageView(), {
      id: String(message.id),
      author: Object.assign(new MessageAuthorView(), { kind: message.authorKind, email: message.authorEmail, name: message.authorName }),
      body: message.body,
      visibility: message.visibility,
      internal: message.visibility !== 'public',
      attachments: (message.attachments ?? []).map((a) => Object.assign(new AttachmentView(), a)),
      createdAt: message.createdAt,
    });
  }
}

@ObjectType('TicketPage')
export class TicketPage {
  @Field(() => [Ticket]) items!: Ticket[];
  @Field(() => Int, { description: 'Tickets matching the filter, all pages.' }) total!: number;
}

@InputType()
export class AttachmentInput {
  @Field(() => String) filename!: string;
  @Field(() => String) contentType!: string;
  @Field(() => Int) sizeBytes!: number;
  @Field(() => String, { nullable: true }) url?: string | null;
}

@InputType()
export class CreateTicketInput {
  @Field(() => String, { description: '`bug`, `feature` or `question`.' }) kind!: string;
  @Field(() => String) subject!: string;
  @Field(() => String, { nullable: true, description: 'HTML; sanitized.' }) description?: string | null;
  @Field(() => String, { nullable: true }) priority?: string | null;
  @Field(() => String, { nullable: true }) team?: string | null;
  @Field(() => String, { nullable: true }) assignee?: string | null;
  @Field(() => String, { nullable: true, description: 'The reporter; gets the acknowledgement with the magic link.' }) customerEmail?: string | null;
  @Field(() => String, { nullable: true }) reporterName?: string | null;
  @Field(() => String, { nullable: true }) reporterCompany?: string | null;
  @Field(() => String, { nullable: true, description: 'File it for a client deployment: it then shows in that deployment\'s in-app inbox.' }) clientLabel?: string | null;
  @Field(() => String, { nullable: true }) orderId?: string | null;
  @Field(() => String, { nullable: true }) invoiceId?: string | null;
  @Field(() => String, { nullable: true }) paymentId?: string | null;
}

@InputType()
export class UpdateTicketInput {
  @Field(() => String, { nullable: true }) subject?: string | null;
  @Field(() => String, { nullable: true }) kind?: string | null;
  @Field(() => String, { nullable: true }) stage?: string | null;
  @Field(() => String, { nullable: true }) priority?: string | null;
  @Field(() => String, { nullable: true, description: 'Empty string clears it.' }) team?: string | null;
  @Field(() => String, { nullable: true, description: 'Empty string clears it.' }) orderId?: string | null;
  @Field(() => String, { nullable: true, description: 'Empty string clears it.' }) invoiceId?: string | null;
  @Field(() => String, { nullable: true, description: 'Empty string clears it.' }) paymentId?: string | null;
}

@InputType({ description: 'Every field narrows; lists match any of their values.' })
export class InboxFilter {
  @Field(() => [String], { nullable: true }) stages?: string[] | null;
  @Field(() => [String], { nullable: true }) kinds?: string[] | null;
  @Field(() => [String], { nullable: true }) priorities?: string[] | null;
  @Field(() => [String], { nullable: true }) approvalStates?: string[] | null;
  @Field(() => String, { nullable: true }) channel?: string | null;
  @Field(() => String, { nullable: true }) team?: string | null;
  @Field(() => String, { nullable: true }) assignee?: string | null;
  @Field(() => Boolean, { nullable: true, description: 'Only tickets nobody is assigned to.' }) unassigned?: boolean | null;
  @Field(() => String, { nullable: true }) clientLabel?: string | null;
  @Field(() => String, { nullable: true }) customerEmail?: string | null;
  @Field(() => Boolean, { nullable: true, description: 'Only new, in progress and waiting tickets.' }) openOnly?: boolean | null;
  @Field(() => Boolean, { nullable: true, description: 'Only tickets with a customer message the calling agent has not read.' }) unreadOnly?: boolean | null;
  @Field(() => Boolean, { nullable: true, description: 'Only tickets whose reporter left no e-mail (no follow-up possible).' }) missingReporterEmail?: boolean | null;
}
