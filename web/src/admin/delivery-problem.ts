import type { DeliveryView } from '../api/types.js';

/**
 * What went wrong with a delivery: its error, or for a refused one what Fin answered. A delivered
 * row has neither: Fin's answer to a success ({"status":"accepted"}) is no error.
 */
export function problemOf(delivery: DeliveryView): string {
  if (delivery.outcome === 'delivered') return '';
  if (delivery.error) return delivery.response_excerpt ? `${delivery.error} (Fin answered: ${delivery.response_excerpt})` : delivery.error;
  return delivery.response_excerpt ? `Fin answered: ${delivery.response_excerpt}` : '';
}
