import { decryptSecret, encryptSecret, sealedKeyId, type Keyring } from '@switchboard/kit';

export interface CardSecrets {
  number: string;
  securityCode: string;
}

/**
 * Seals a card's number and security code for storage. The card id is authenticated with the
 * ciphertext, so a sealed value copied onto another card does not open.
 */
export class CardVault {
  constructor(private readonly keyring: Keyring) {}

  seal(cardId: string, secrets: CardSecrets): { sealed: string; keyId: string } {
    const sealed = encryptSecret(JSON.stringify({ n: secrets.number, c: secrets.securityCode }), this.keyring, context(cardId));
    return { sealed, keyId: sealedKeyId(sealed)! };
  }

  /** Throws `DecryptionError` naming the key when it is no longer configured. */
  open(cardId: string, sealed: string): CardSecrets {
    const { n, c } = JSON.parse(decryptSecret(sealed, this.keyring, context(cardId))) as { n: string; c: string };
    return { number: n, securityCode: c };
  }
}

const context = (cardId: string) => `wex_virtual_card:${cardId}:card`;
