/** Business hours and SLA targets (domain/sla/). */
import type { SlaSettings } from '../domain/sla/sla-settings.js';

export interface SlaStore {
  getSlaSettings(): Promise<SlaSettings>;
}
