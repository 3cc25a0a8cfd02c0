/**
 * The agent's own account in Chromium against a real Finch: changing the password, and why it was
 * refused (the current one wrong, the new one weak or typed differently twice).
 */
import { describe, expect, it } from 'vitest';
import { AgentClient } from '../support/agent-client.js';
import { signIn } from '../support/browser.js';
import { sqlBackends } from '../support/finch.js';
import { PASSWORD, makeAgent } from '../support/helpdesk.js';
import { inboxOn } from './support.js';

describe.each(sqlBackends())('your account (%s)', (backend) => {
  const harness = inboxOn(backend);

  it('changes the password, and says why when the current one is wrong or the new one is weak', async () => {
    const pat = await makeAgent(harness.loop.finch, `Pat ${backend}`, 'agent');
    const { page } = await harness.open();
    await signIn(page, harness.loop.finch.baseUrl, pat.email, PASSWORD);
    await page.getByRole('button', { name: /^Your account/ }).click();
    const form = page.getByRole('form', { name: 'Change your password' });
    const attempt = async (current: string, next: string) => {
      await form.getByLabel('Current password').fill(current);
      await form.getByLabel('New password', { exact: true }).fill(next);
      await form.getByLabel('Confirm new password').fill(next);
      await form.getByRole('button', { name: 'Change password' }).click();
    };

    await attempt('not my password at all', 'velvet arcade pinecone 93');
    await expect.poll(() => form.getByRole('alert').innerText(), { timeout: 10_000 }).toBe('Your current password is not right.');

    // Weak: the server's reason, word for word.
    const weak = 'password1234';
    const direct = await AgentClient.signIn(harness.loop.finch.baseUrl, pat.email, PASSWORD);
    const refused = await direct.post('/me/password', { current_password: PASSWORD, new_password: weak });
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('weak_password');
    await attempt(PASSWORD, weak);
    await expect.poll(() => form.getByRole('alert').innerText(), { timeout: 10_000 }).toBe(refused.body.detail);

    await form.getByLabel('Current password').fill(PASSWORD);
    await form.getByLabel('New password', { exact: true }).fill('velvet arcade pinecone 93');
    await form.getByLabel('Confirm new password').fill('velvet arcade pinecone 94');
    await form.getByRole('button', { name: 'Change password' }).click();
    await expect.poll(() => form.getByRole('alert').innerText(), { timeout: 10_000 }).toMatch(/differ/);

    await attempt(PASSWORD, 'velvet arcade pinecone 93');
    await form.getByRole('status').filter({ hasText: 'Your password has been changed.' }).waitFor();
    expect((await harness.loop.agent.request('POST', '/session', { email: pat.email, password: 'velvet arcade pinecone 93' })).status).toBe(200);
  });
});
