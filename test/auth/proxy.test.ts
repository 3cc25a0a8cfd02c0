/**
 * Sign-in limits behind a reverse proxy (FINCH_TRUST_PROXY): a trusted proxy's X-Forwarded-For
 * names the client, so clients are counted apart; an untrusted one's is ignored, so a client
 * cannot pick a new address for each attempt.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { sqlBackends, startTestFinch, type TestFinch } from '../support/finch.js';

describe.each(sqlBackends())('sign-in limits behind a proxy on %s', (backend) => {
  let finch: TestFinch | undefined;
  afterEach(async () => {
    await finch?.close();
    finch = undefined;
  });

  /** Statuses of wrong sign-ins for one email, each said to come from `client`. */
  const attempts = async (count: number, client: string) => {
    const statuses: number[] = [];
    for (let i = 0; i < count; i++) {
      const response = await fetch(`${finch!.baseUrl}/api/v1/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': client },
        body: JSON.stringify({ email: 'nobody@example.com', password: 'not the password' }),
      });
      statuses.push(response.status);
    }
    return statuses;
  };

  it('counts each client apart when the proxy is trusted', async () => {
    finch = await startTestFinch(backend, { loginRateLimit: 2, trustProxy: '127.0.0.1' });
    expect(await attempts(3, '203.0.113.1')).toEqual([401, 401, 429]);
    expect(await attempts(2, '203.0.113.2')).toEqual([401, 401]);
    // One IPv6 subscriber is one client, whichever address of its /64 it uses.
    expect(await attempts(2, '2001:db8:1:2::1')).toEqual([401, 401]);
    expect(await attempts(1, '2001:db8:1:2::99')).toEqual([429]);
  });

  it('ignores X-Forwarded-For from a proxy it does not trust', async () => {
    finch = await startTestFinch(backend, { loginRateLimit: 2 });
    expect(await attempts(2, '203.0.113.1')).toEqual([401, 401]);
    expect(await attempts(1, '203.0.113.2')).toEqual([429]);
  });
});
