/** Business hours and SLA targets (Admin → Business hours): any agent reads them, an admin changes them. */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import { BusinessHoursInput, BusinessHoursView } from '../../../contract/business-hours.js';
import { readBusinessHours } from '../../../domain/helpdesk/sla/read-business-hours.js';
import { updateBusinessHours } from '../../../domain/helpdesk/sla/update-business-hours.js';
import type { SlaSettings } from '../../../domain/sla/sla-settings.js';
import type { AgentRouteOptions } from '../agent-route-options.js';
import { callerOf } from '../auth.js';
import { routeSchema } from '../route-schema.js';

const TAGS = ['Agent API: settings'];

export const businessHoursRoutes: FastifyPluginAsync<AgentRouteOptions> = async (fastify, { ctx }) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/settings/business-hours',
    {
      schema: routeSchema(
        {
          operationId: 'getBusinessHours',
          summary: 'Business hours and SLA targets',
          description: 'Any agent may read them.',
          response: { 200: BusinessHoursView },
        },
        TAGS,
      ),
    },
    async () => present(await readBusinessHours(ctx)),
  );

  app.put(
    '/settings/business-hours',
    {
      schema: routeSchema(
        {
          operationId: 'updateBusinessHours',
          summary: 'Change business hours and SLA targets (admin)',
          description:
            'The whole setting. A time zone that is not IANA, a range that closes before it opens, overlapping ranges, or a target these hours and holidays can never reach (no opening hours, or not within ten years; unreachable_target): 422 pointing at the field. The time zone is stored in its IANA spelling (utc as UTC; a legacy name such as EST5EDT as the zone it stands for, America/New_York). New hours and targets apply from the next hand-over.',
          body: BusinessHoursInput,
          response: { 200: BusinessHoursView },
        },
        TAGS,
      ),
    },
    async (request) => present(await updateBusinessHours(ctx, callerOf(request).agent, settingsFrom(request.body))),
  );
};

/** Each setting's name on the wire (the contract's snake_case), one table for both directions. */
const WIRE = {
  timeZone: 'time_zone',
  week: 'week',
  holidays: 'holidays',
  firstReplyMinutes: 'first_reply_minutes',
  resolutionMinutes: 'resolution_minutes',
  writeReplyDueAttribute: 'write_reply_due_attribute',
} as const satisfies { [K in keyof SlaSettings]: keyof BusinessHoursView };

const present = (settings: SlaSettings) => rename(settings, WIRE) as BusinessHoursView;
const settingsFrom = (input: BusinessHoursInput) =>
  rename(input, Object.fromEntries(Object.entries(WIRE).map(([name, wire]) => [wire, name]))) as unknown as SlaSettings;

function rename(from: object, names: Readonly<Record<string, string>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(from).flatMap(([key, value]) => (key in names ? [[names[key]!, value]] : [])));
}
