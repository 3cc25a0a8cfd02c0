/** The conversation's activity as a timeline: what happened to it, when, and who did it. */
export function Timeline(_props: { conversationId: string }) {
  return null;
}
