import type { MessageView } from '../api/types.js';
import { Avatar } from '../ui/Avatar.js';
import { safeHtml } from '../ui/safe-html.js';
import { when } from '../ui/when.js';

/** One message of a thread: its author, time, sanitized body and attachments. */
export function Message({ message }: { message: MessageView }) {
  const name = message.author.is_fin ? 'Fin' : (message.author.name ?? message.author.email ?? 'End-user');
  const note = message.visibility === 'private';
  return (
    <div className={`message ${message.author.type}${note ? ' note' : ''}${message.author.is_fin ? ' from-fin' : ''}`}>
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
    </div>
  );
}
