/**
 * The helpdesk's unit of work (store/helpdesk-port.ts): every store's writes in one transaction,
 * all kept or none, and the last-admin rule holding when admins demote each other at once. Real
 * SQLite and real PostgreSQL; the failures are real ones (a duplicate key) or a step made to throw
 * after its real write, inside a real transaction.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { resetPassword } from '../../src/cli/reset-password.js';
import { hashPassword, hashToken } from '../../src/domain/auth/secrets.js';
import type { HelpdeskContext } from '../../src/domain/helpdesk/context.js';
import { editAgent } from '../../src/domain/helpdesk/agents/edit-agent.js';
import { changePassword } from '../../src/domain/helpdesk/sessions/change-password.js';
import type { Agent } from '../../src/domain/model.js';
import type { AccountWriter } from '../../src/store/account-port.js';
import type { HelpdeskTransaction, UnitOfWork } from '../../src/store/helpdesk-port.js';
import { AgentClient } from '../support/agent-client.js';
import { sqlBackends, startTestFinch, type TestFinch } from '../support/finch.js';
import { PASSWORD, finConversation, makeAgent } from '../support/helpdesk.js';

/** Rounds of the concurrent demotion; each round is one race. */
const ROUNDS = 25;

class Injected extends Error {}

/** A unit of work whose `accounts[method]` makes its real write and then throws, as a crash between two steps would. */
function failingAfter(unit: UnitOfWork, method: keyof AccountWriter): UnitOfWork['transaction'] {
  return (work) =>
    unit.transaction((tx) => {
      const accounts = new Proxy(tx.accounts, {
        get(target, key, receiver) {
          const value = Reflect.get(target, key, receiver) as unknown;
          if (key !== method || typeof value !== 'function') return typeof value === 'function' ? value.bind(target) : value;
          return async (...args: unknown[]) => {
            await (value as (...args: unknown[]) => Promise<unknown>).apply(target, args);
            throw new Injected(`${String(method)} failed after writing`);
          };
        },
      });
      return work(Object.assign(Object.create(tx) as HelpdeskTransaction, { accounts }));
    });
}

describe.each(sqlBackends())('the unit of work on %s', (backend) => {
  let finch: TestFinch;
  let helpdesk: HelpdeskContext;
  let admin: Agent;
  beforeAll(async () => {
    finch = await startTestFinch(backend);
    helpdesk = finch.helpdesk!;
    admin = await makeAgent(finch, 'Ada Admin', 'admin');
  });
  afterAll(() => finch?.close());

  const activeAdmins = async () => (await finch.finch!.accounts.listAllAgents()).filter((agent) => agent.role === 'admin' && agent.active).length;

  describe('two admins demoting each other at once', () => {
    let one: Agent;
    let two: Agent;
    beforeAll(async () => {
      // Ada steps down, so that these two are the only admins.
      one = await makeAgent(finch, `Olive ${backend}`, 'admin');
      two = await makeAgent(finch, `Tom ${backend}`, 'admin');
      await finch.finch!.accounts.updateAgent(admin.id, { role: 'agent' }, finch.clock.now().toISOString());
    });
    afterAll(async () => {
      await finch.finch!.accounts.updateAgent(admin.id, { role: 'admin' }, finch.clock.now().toISOString());
    });

    it(`always leaves an active admin (${ROUNDS} rounds, role and deactivation)`, async () => {
      const outcomes: string[] = [];
      const clients: (AgentClient | undefined)[] = [undefined, undefined];
      for (let round = 0; round < ROUNDS; round++) {
        const at = finch.clock.now().toISOString();
        const agents = [one, two];
        for (const [i, agent] of agents.entries()) {
          await finch.finch!.accounts.updateAgent(agent.id, { role: 'admin', active: true }, at);
          // Signed in anew after a deactivation, which signed them out.
          clients[i] ??= await AgentClient.signIn(finch.baseUrl, agent.email, PASSWORD);
        }
        const patch = round % 2 === 0 ? { role: 'agent' } : { active: false };
        const [first, second] = await Promise.all([clients[0]!.patch(`/agents/${two.id}`, patch), clients[1]!.patch(`/agents/${one.id}`, patch)]);
        if ('active' in patch)
          for (const [i, agent] of agents.entries()) if (!(await finch.finch!.accounts.findAgent(agent.id))!.active) clients[i] = undefined;
        outcomes.push(`${first.status}/${second.status}`);
        expect(await activeAdmins(), `round ${round}: ${first.status} ${JSON.stringify(first.body)} / ${second.status} ${JSON.stringify(second.body)}`).toBe(1);
        // One wins; the other is refused: 409 last_admin, or, when the winner's change reached it
        // first, 403 (no longer an admin) or 401 (deactivated, so signed out).
        expect([first.status, second.status].filter((status) => status === 200)).toHaveLength(1);
        for (const refused of [first, second].filter((response) => response.status !== 200)) {
          expect(refused.body).toMatchObject({
            code: ({ 409: 'last_admin', 403: 'forbidden', 401: 'session_revoked' } as Record<number, string>)[refused.status],
          });
        }
      }
      expect(outcomes).toHaveLength(ROUNDS);
    });
  });

  describe('a failure inside a unit of work leaves none of its writes', () => {
    let sam: Agent;
    let client: AgentClient;
    beforeEach(async () => {
      sam ??= await makeAgent(finch, `Sam ${backend}`);
      client = await AgentClient.signIn(finch.baseUrl, sam.email, PASSWORD);
    });

    it('a deactivation whose session revocation fails: the agent stays active and signed in', async () => {
      const before = await finch.dump();
      const ctx: HelpdeskContext = { ...helpdesk, transaction: failingAfter(finch.finch!.store, 'revokeSessionsOf') };
      await expect(editAgent(ctx, admin, sam.id, { active: false })).rejects.toBeInstanceOf(Injected);
      expect(await finch.dump()).toBe(before);
      expect((await client.get('/session')).status).toBe(200);
      // The same change through the real unit of work: both writes.
      expect((await editAgent(helpdesk, admin, sam.id, { active: false })).active).toBe(false);
      expect((await client.get('/session')).status).toBe(401);
      await editAgent(helpdesk, admin, sam.id, { active: true });
    });

    it("a password change whose sessions' end fails: the old password and the other sessions stay", async () => {
      const other = await AgentClient.signIn(finch.baseUrl, sam.email, PASSWORD);
      const before = await finch.dump();
      const ctx: HelpdeskContext = { ...helpdesk, transaction: failingAfter(finch.finch!.store, 'revokeSessionsOf') };
      await expect(changePassword(ctx, sam, { currentPassword: PASSWORD, newPassword: 'a quite different passphrase 42' })).rejects.toBeInstanceOf(Injected);
      expect(await finch.dump()).toBe(before);
      expect((await other.get('/session')).status).toBe(200);
      expect((await AgentClient.signIn(finch.baseUrl, sam.email, PASSWORD)).csrfToken).toEqual(expect.any(String));
    });

    it('every store written, then a duplicate key: nothing of it is kept', async () => {
      const conversation = await finConversation(finch);
      const before = await finch.dump();
      const at = finch.clock.now().toISOString();
      const session = { tokenHash: hashToken(`fss_${backend}_dup`), agentId: sam.id, csrfToken: 'csrf', at, expiresAt: at };
      const failure = finch.finch!.store.transaction(async (tx) => {
        await tx.accounts.updateAgent(sam.id, { name: 'Renamed', role: 'admin' }, at);
        await tx.accounts.revokeSessionsOf(sam.id, at);
        await tx.credentials.insertApiToken({ id: `tok_${backend}_uow`, name: 'uow', tokenHash: hashToken('uow'), scope: 'agent', agentId: sam.id, at });
        await tx.credentials.insertClient({ id: `fcl_${backend}_uow`, name: 'uow', secretHash: hashToken('uow secret'), at });
        await tx.settings.putFinSettings({ integrationId: 'uow', webhookKey: null, region: 'us', baseUrl: null }, at);
        await tx.settings.updateDeliveryState((state) => ({ ...state, disabledAt: at, disabledReason: 'uow' }), at);
        await tx.cannedReplies.insertCannedReply({ shortcut: `uow${backend}`, title: 'uow', body: 'uow', createdBy: sam.id, createdAt: at });
        await tx.files.saveFile({
          id: `file_${backend}_uow`,
          filename: 'a.txt',
          contentType: 'text/plain',
          size: 1,
          uploadedBy: sam.id,
          createdAt: at,
          data: Buffer.from('a'),
        });
        await tx.updateConversation(conversation.id, { title: 'Renamed' }, at);
        await tx.enqueueSync(conversation.id, at);
        await tx.accounts.insertSession(session);
        await tx.accounts.insertSession(session);
      });
      await expect(failure).rejects.toThrow();
      expect(await finch.dump()).toBe(before);
      expect((await client.get('/session')).status).toBe(200);
    });
  });

  it('two admins saving different Fin settings at once both keep theirs (20 rounds)', async () => {
    const admins = [await AgentClient.signIn(finch.baseUrl, admin.email, PASSWORD), await AgentClient.signIn(finch.baseUrl, admin.email, PASSWORD)];
    for (let round = 0; round < 20; round++) {
      const [first, second] = await Promise.all([
        admins[0]!.put('/settings/fin', { integration_id: `integration ${round}` }),
        admins[1]!.put('/settings/fin', { webhook_key: `key ${round}` }),
      ]);
      expect([first.status, second.status]).toEqual([200, 200]);
      const stored = await finch.finch!.settings.getFinSettings();
      expect({ integrationId: stored.integrationId, webhookKey: stored.webhookKey }, `round ${round}`).toEqual({
        integrationId: `integration ${round}`,
        webhookKey: `key ${round}`,
      });
    }
  });

  describe('finch reset-password', () => {
    it('sets the password and ends the sessions together, or does neither', async () => {
      const rita = await makeAgent(finch, `Rita ${backend}`);
      const client = await AgentClient.signIn(finch.baseUrl, rita.email, PASSWORD);
      const replacement = await hashPassword('a brand new passphrase for rita');
      const at = finch.clock.now().toISOString();
      const before = await finch.dump();
      const failing = { store: { transaction: failingAfter(finch.finch!.store, 'revokeSessionsOf') } } as unknown as Parameters<typeof resetPassword>[0];
      await expect(resetPassword(failing, rita.email, replacement, at)).rejects.toBeInstanceOf(Injected);
      expect(await finch.dump()).toBe(before);
      expect((await client.get('/session')).status).toBe(200);

      await resetPassword(finch.finch!, rita.email, replacement, at);
      expect(await finch.finch!.accounts.passwordHashOf(rita.id)).toBe(replacement);
      expect((await client.get('/session')).status).toBe(401);
    });
  });
});
