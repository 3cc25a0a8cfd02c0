/** Who else is viewing the conversation, and who is typing a reply in it, live (the stream's `collision` events). */
import { useCollision } from '../resources/presence.js';

const listed = (names: string[]) => (names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`);

export function Collision(props: { conversationId: string; meId: string }) {
  const { viewers, typing } = useCollision(props.conversationId);
  const others = (people: { id: string; name: string }[]) => people.filter((person) => person.id !== props.meId).map((person) => person.name);
  const typers = others(typing);
  const watchers = others(viewers).filter((name) => !typers.includes(name));
  if (typers.length === 0 && watchers.length === 0) return null;
  return (
    <p className="collision" role="status" aria-label="Others on this conversation">
      {typers.length > 0 && (
        <strong className="typing">
          {listed(typers)} {typers.length === 1 ? 'is' : 'are'} typing a reply…
        </strong>
      )}
      {typers.length > 0 && watchers.length > 0 && ' '}
      {watchers.length > 0 && (
        <span className="viewing">
          {listed(watchers)} {watchers.length === 1 ? 'is' : 'are'} also viewing this conversation.
        </span>
      )}
    </p>
  );
}
