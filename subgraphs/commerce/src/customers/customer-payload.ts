import type { PayloadReader } from '../prestashop/ps-values.js';

/** `after_data` of a customer event: the Customer ObjectModel's raw values (ids and flags as strings). */
export interface CustomerPayload {
  id: number;
  email: string;
  firstname: string | null;
  lastname: string | null;
  id_default_group: number | null;
  active: boolean | null;
  newsletter: boolean | null;
  optin: boolean | null;
  date_add: string | null;
  date_upd: string | null;
}

export function readCustomer(r: PayloadReader): CustomerPayload {
  return {
    id: r.positiveInt('id'),
    email: r.email('email'),
    firstname: r.optText('firstname', 100),
    lastname: r.optText('lastname', 100),
    id_default_group: r.optInt('id_default_group'),
    active: r.optBool('active'),
    newsletter: r.optBool('newsletter'),
    optin: r.optBool('optin'),
    date_add: r.optDateTime('date_add'),
    date_upd: r.optDateTime('date_upd'),
  };
}

/**
 * `after_data` of an address change. The module normalizes address hooks into `customer` /
 * `updated` events whose data is the address and whose `context_data` says what happened to it.
 */
export interface AddressPayload {
  id: number;
  alias: string | null;
  company: string | null;
  firstname: string | null;
  lastname: string | null;
  address1: string | null;
  address2: string | null;
  postcode: string | null;
  city: string | null;
  id_country: number | null;
  id_state: number | null;
  phone: string | null;
  phone_mobile: string | null;
}

export function readAddress(r: PayloadReader): AddressPayload {
  return {
    id: r.positiveInt('id'),
    alias: r.optText('alias', 64),
    company: r.optText('company', 255),
    firstname: r.optText('firstname', 255),
    lastname: r.optText('lastname', 255),
    address1: r.optText('address1', 255),
    address2: r.optText('address2', 255),
    postcode: r.optText('postcode', 32),
    city: r.optText('city', 64),
    id_country: r.optInt('id_country'),
    id_state: r.optInt('id_state'),
    phone: r.optText('phone', 32),
    phone_mobile: r.optText('phone_mobile', 32),
  };
}

/** `context_data.address_action`: what happened to the address (created, updated, deleted). */
export function readAddressAction(r: PayloadReader): 'created' | 'updated' | 'deleted' {
  const action = r.optText('address_action', 32);
  return action === 'created' || action === 'deleted' ? action : 'updated';
}
