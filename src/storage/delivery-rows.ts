// Delivery-log rows as both backends return them and their mapping to the model.
import type { Delivery } from '../model/types.js';

export interface DeliveryLogRow {
  at: string;
  feed: string;
  format: string;
  items: string;
  held_back: string | null;
  count: number;
  last_at: string | null;
}

export function toDelivery(r: DeliveryLogRow): Delivery {
  const d: Delivery = { at: r.at, channel: r.feed, format: r.format, items: JSON.parse(r.items) as Delivery['items'] };
  if (r.held_back) d.heldBack = JSON.parse(r.held_back) as NonNullable<Delivery['heldBack']>;
  if (r.count > 1) {
    d.count = r.count;
    if (r.last_at) d.lastAt = r.last_at;
  }
  return d;
}
