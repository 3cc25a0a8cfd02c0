import { useEffect, useRef } from 'react';
import type { MessageView } from '../api/types.js';
import { Avatar } from '../ui/Avatar.js';
import { safeHtml } from '../ui/safe-html.js';
import { when } from '../ui/when.js';

/** The conversation's messages, oldest first, scrolled to the newest; bodies sanitized again here. */
export function Thread({ messages }: { messages: MessageView[] }) {
  const end = useRef<HTMLLIElement>(null);
  // Braces, not an arrow's value: Chromium's scrollIntoView returns a promise, which React would
  // take for a cleanup function.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when a message arrives (the count changes), not on each re-read
  useEffect(() => {
    end.current?.scrollIntoView({ block: 'end' });
  }, [messages.length]);
  return (
    <ol className="thread" aria-label="Messages">
      {messages.map((message) => {
        const name = message.author.is_fin ? 'Fin' : (message.author.name ?? message.author.email ?? 'End-user');
        const note = message.visibility === 'private';
        return (
          <li key={message.id} className={`message ${message.author.type}${note ? ' note' : ''}${message.author.is_fin ? ' from-fin' : ''}`}>
            <Avatar name={name} photoUrl={message.author.photo_url} fin={message.author.is_fin} />
            <div className="message-main">
              <div className="message-head">
                <span className="author">{name}</span>
                {message.author.is_fin && <span className="badge fin">Fin</span>}
                {note && <span className="badge note">Private note</span>}
                <time dateTime={message.created_at}>{when(message.created_at)}</time>
              </div>
              {/* biome-ignore lint/security/noDangerouslySetInnerHtml: safeHtml sanitizes with DOMPurify (format.tsx) */}
              {message.body && <div className="body" dangerouslySetInnerHTML={{ __html: safeHtml(message.body) }} />}
              {message.attachments.length > 0 && (
                <ul className="attachments">
                  {message.attachments.map((attachment) => (
                    <li key={attachment.url}>
                      <a href={attachment.url} target="_blank" rel="noopener noreferrer">
                        {/^(png|jpe?g|gif|webp)$/i.test(attachment.filetype) && attachment.url.startsWith('https://') ? (
                          <img src={attachment.url} alt={attachment.filename} className="thumbnail" />
                        ) : (
                          `${attachment.filename} (${attachment.filetype})`
                        )}
                      </a>
                    </li>
                  ))}
                </ul>
              )}
            </div>
          </li>
        );
      })}
      <li ref={end} aria-hidden="true" className="thread-end" />
    </ol>
  );
}
