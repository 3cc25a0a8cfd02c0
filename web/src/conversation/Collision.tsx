/** Who else is viewing the conversation, and who is typing a reply in it, live. */
export function Collision(_props: { conversationId: string; meId: string }) {
  return null;
}
