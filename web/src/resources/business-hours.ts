/** The business hours and SLA targets (any agent reads them; Admin → Business hours changes them). */
import { useQuery } from '@tanstack/react-query';
import { getBusinessHours } from '../api/business-hours.js';
import { keys } from './keys.js';

export const useBusinessHours = () => useQuery({ queryKey: keys.businessHours, queryFn: getBusinessHours });
