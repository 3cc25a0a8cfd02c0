import { describe, expect, it } from 'vitest';
import type { Agent, EndUser, Message } from '../../domain/model.js';
import { presentMessage, presentMessages } from './presenters.js';

const at = '2026-11-30T10:00:00.000Z';
const user: EndUser = {
  id: 'user_1',
  objectId: null,
  name: 'Ada',
  email: 'ada@example.com',
  photoUrl: 'https://example.com/ada.png',
  attributes: { plan: 'pro' },
  createdAt: at,
  updatedAt: at,
};
// Stored as Fin sent it: not an email or a URL the contract allows, so presented as null.
const oddUser: EndUser = { ...user, id: 'user_2', email: 'not an email', photoUrl: '/relative.png' };
const agent = (id: string, alias: string | null): Agent => ({
  id,
  name: `Agent ${id}`,
  email: `${id}@example.com`,
  alias,
  photoUrl: null,
  role: 'agent',
  isFin: false,
  active: true,
  createdAt: at,
  updatedAt: at,
});
const message = (id: string, author: Message['author'], body: string | null = `text ${id}`): Message => ({
  id,
  objectId: null,
  conversationId: 'conv_1',
  body,
  author,
  visibility: 'public',
  attachments: [],
  createdAt: at,
});

describe('presentMessages', () => {
  // Each row its own object, as the store gives them.
  const thread = [
    message('m1', { type: 'end_user', user }),
    message('m2', { type: 'agent', agent: agent('a1', 'Al') }),
    message('m3', { type: 'end_user', user: { ...user } }),
    message('m4', { type: 'agent', agent: agent('a1', 'Al') }),
    message('m5', { type: 'agent', agent: agent('a2', null) }, null),
    message('m6', { type: 'end_user', user: oddUser }),
  ];

  for (const variant of ['rest', 'post'] as const) {
    it(`answers exactly what presenting each message alone answers (${variant})`, () => {
      expect(presentMessages(thread, variant)).toEqual(thread.map((each) => presentMessage(each, variant)));
    });
  }

  it('presents each author once per answer, and no author for another', () => {
    const presented = presentMessages(thread, 'rest');
    expect(presented[0]!.author).toBe(presented[2]!.author);
    expect(presented[1]!.author).toBe(presented[3]!.author);
    expect(presented[1]!.author).not.toBe(presented[4]!.author);
    expect(presented[5]!.author).toMatchObject({ id: 'user_2', email: null, photo_url: null });
    expect(presentMessages(thread, 'rest')[0]!.author).not.toBe(presented[0]!.author);
  });
});
