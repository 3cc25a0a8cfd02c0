/** Business hours and SLA targets (Admin → Business hours). */
import type { BusinessHoursView } from '../../../src/contract/business-hours.js';
import { request } from './client.js';

export type { BusinessHoursView };

export const getBusinessHours = () => request<BusinessHoursView>('GET', '/settings/business-hours');
export const saveBusinessHours = (settings: BusinessHoursView) => request<BusinessHoursView>('PUT', '/settings/business-hours', settings);
