import { normalizeEmail, type EventHandler } from '@switchboard/kit';
import { BillingAccount } from './billing-account.js';

interface CustomerUpserted {
  email: string;
  name: string;
}

/** `commerce.customer.upserted` → the customer's billing account exists, with the latest name. */
export const openAccountOnCustomer: EventHandler<CustomerUpserted> = {
  name: 'open-account-on-customer',
  subjects: ['commerce.customer.upserted'],
  async handle(event, { em }) {
    const email = normalizeEmail(event.data.email);
    if (!email) throw new Error(`event ${event.id} carries no valid e-mail`);
    const account = await em.findOne(BillingAccount, { email });
    if (account) {
      account.name = event.data.name;
      return;
    }
    em.persist(em.create(BillingAccount, { email, name: event.data.name, openedAt: new Date(event.time) }));
  },
};
