import type { CloverConnection } from '../connections/clover-connection.js';
import { CloverInputError } from '../domain-errors.js';
import { CloverRequestRejected } from '../http/errors.js';
import type { CloverTokenizer } from '../tokenization/tokenizer.js';
import type { PaymentSource } from './collect-request.js';

export interface CardSource {
  /** What Clover charges or credits: a card token (absent for a terminal). */
  sourceToken?: string;
  /** Brand and last four of a keyed card, as Clover's tokenizer reports them. */
  card?: { brand: string; last4: string };
}

/** Turns a keyed card into a Clover token (a token passes through; a terminal needs none). */
export async function cardSourceOf(tokenizer: CloverTokenizer, connection: CloverConnection, source: PaymentSource): Promise<CardSource> {
  if (source.kind === 'token') return { sourceToken: source.token };
  if (source.kind !== 'card') return {};
  const token = await tokenizer.tokenize(connection, source.card).catch((error) => {
    // Our checks run first; a refusal here is Clover's word on the card.
    if (error instanceof CloverRequestRejected) throw new CloverInputError(`Clover refused the card: ${error.cloverMessage}`, 'card');
    throw error;
  });
  return { sourceToken: token.token, card: { brand: token.brand, last4: token.last4 } };
}
