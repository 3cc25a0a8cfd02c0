/** Signing in and out, the session check, and the signed-in agent's password. */
import { ApiError, forgetCsrfToken, rememberSession, request } from './client.js';
import type { SessionView } from './types.js';

/** The session the browser's cookie holds, or null when there is none (a 401 here is an answer). */
export async function currentSession(): Promise<SessionView | null> {
  try {
    const session = await request<SessionView>('GET', '/session', undefined, undefined, { sessionRoute: true });
    rememberSession(session);
    return session;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return null;
    throw error;
  }
}

export async function signIn(email: string, password: string): Promise<SessionView> {
  const session = await request<SessionView>('POST', '/session', { email, password }, undefined, { sessionRoute: true });
  rememberSession(session);
  return session;
}

export async function signOut(): Promise<void> {
  try {
    await request('DELETE', '/session', undefined, undefined, { sessionRoute: true });
  } finally {
    forgetCsrfToken();
  }
}

/** Changes the signed-in agent's password: 204; 403 wrong_password; 422 weak_password with a detail to show. */
export const changePassword = (currentPassword: string, newPassword: string) =>
  request<void>('POST', '/me/password', { current_password: currentPassword, new_password: newPassword });
