import { parseRich } from './rich';
import { openChatWithUsername } from './messages';

/** A message's text with its links, code, bold and mentions (see rich.ts): elements and text nodes, never HTML. */
export function RichText({ text }: { text: string }) {
  return (
    <>
      {parseRich(text).map((segment, i) => {
        switch (segment.kind) {
          case 'link':
            return (
              <a key={i} href={segment.href} target="_blank" rel="noopener noreferrer nofollow">
                {segment.text}
              </a>
            );
          case 'code':
            return <code key={i}>{segment.text}</code>;
          case 'pre':
            return (
              <pre key={i} class="bubble__pre">
                <code>{segment.text}</code>
              </pre>
            );
          case 'bold':
            return <strong key={i}>{segment.text}</strong>;
          case 'mention':
            return (
              <button key={i} type="button" class="mention" onClick={() => void openChatWithUsername(segment.username)}>
                {segment.text}
              </button>
            );
          default:
            return segment.text;
        }
      })}
    </>
  );
}
