/** What admins manage besides agents: API tokens, OAuth clients, Fin's settings and the delivery log. */
import type { FinSettingsInput } from '../../../src/contract/agent-api.js';
import type { SignatureReportView } from '../../../src/contract/signature-report.js';
import { query, request } from './client.js';
import type { ClientView, DeliveryView, FinSettingsView, Page, TokenView } from './types.js';

const id = (value: string) => encodeURIComponent(value);

export const listTokens = () => request<TokenView[]>('GET', '/tokens');
export const createToken = (name: string, scope: 'agent' | 'fin') => request<{ token: string }>('POST', '/tokens', { name, scope });
export const revokeToken = (tokenId: string) => request('DELETE', `/tokens/${id(tokenId)}`);

export const listClients = () => request<ClientView[]>('GET', '/oauth-clients');
export const createClient = (name: string) => request<{ client_id: string; client_secret: string }>('POST', '/oauth-clients', { name });
export const revokeClient = (clientId: string) => request('DELETE', `/oauth-clients/${id(clientId)}`);

export const getFinSettings = () => request<FinSettingsView>('GET', '/settings/fin');
export const saveFinSettings = (input: FinSettingsInput) => request<FinSettingsView>('PUT', '/settings/fin', input);
/** How Fin's request signatures are checked, and the last requests not signed in the canonical form. */
export const getSignatureReport = () => request<SignatureReportView>('GET', '/settings/fin/signature-report');

export async function listDeliveries(params: { cursor?: string | null; conversation_id?: string; outcome?: string }): Promise<Page<DeliveryView>> {
  const page = await request<{ deliveries: DeliveryView[]; next_cursor: string | null }>('GET', `/deliveries${query({ limit: 50, ...params })}`);
  return { items: page.deliveries, next: page.next_cursor };
}
export const replayDelivery = (deliveryId: string) => request('POST', `/deliveries/${id(deliveryId)}/replay`);
