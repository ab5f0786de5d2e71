import { useState } from 'preact/hooks';
import type { Node } from './rich';
import { parseRich, safeHref } from './rich';
import { openChatWithUsername } from './messages';

/** A message's text with its formatting, links, code and mentions (see rich.ts): elements and text nodes, never HTML. */
export function RichText({ text }: { text: string }) {
  return <Nodes nodes={parseRich(text)} />;
}

function Nodes({ nodes }: { nodes: Node[] }) {
  return (
    <>
      {nodes.map((node, i) => {
        switch (node.kind) {
          case 'link':
            // The parser gives only http(s) addresses; checked once more where it becomes an href.
            return safeHref(node.href) ? (
              <a key={i} href={node.href} title={node.href} target="_blank" rel="noopener noreferrer nofollow">
                <Nodes nodes={node.children} />
              </a>
            ) : (
              <Nodes key={i} nodes={node.children} />
            );
          case 'code':
            return <code key={i}>{node.text}</code>;
          case 'pre':
            return (
              <pre key={i} class="bubble__pre">
                <code>{node.text}</code>
              </pre>
            );
          case 'bold':
            return (
              <strong key={i}>
                <Nodes nodes={node.children} />
              </strong>
            );
          case 'italic':
            return (
              <em key={i}>
                <Nodes nodes={node.children} />
              </em>
            );
          case 'strike':
            return (
              <s key={i}>
                <Nodes nodes={node.children} />
              </s>
            );
          case 'spoiler':
            return <Spoiler key={i} nodes={node.children} />;
          case 'mention':
            return (
              <button key={i} type="button" class="mention" onClick={() => void openChatWithUsername(node.username)}>
                {node.text}
              </button>
            );
          default:
            return node.text;
        }
      })}
    </>
  );
}

/**
 * Words hidden until asked for, as Telegram's spoilers: blurred, unselectable and out of the accessibility tree, their
 * links and mentions not clickable, until a click (or Enter or Space on it) reveals them for as long as the message is
 * shown.
 */
function Spoiler({ nodes }: { nodes: Node[] }) {
  const [revealed, setRevealed] = useState(false);
  if (revealed) {
    return (
      <span class="spoiler spoiler--revealed" data-testid="spoiler">
        <Nodes nodes={nodes} />
      </span>
    );
  }
  const reveal = (e: Event) => {
    // The click is the spoiler's: not also a tap on the message (which would show its actions) or a link inside it.
    e.preventDefault();
    e.stopPropagation();
    setRevealed(true);
  };
  return (
    <span
      class="spoiler"
      data-testid="spoiler"
      role="button"
      tabIndex={0}
      aria-label="Spoiler: hidden text, press to reveal"
      onClick={reveal}
      onKeyDown={(e) => {
        if (e.key === 'Enter' || e.key === ' ') reveal(e);
      }}
    >
      {/* inert: the hidden words' links and mentions are out of the Tab order too, not only out of reach of the mouse. */}
      <span class="spoiler__text" aria-hidden="true" inert>
        <Nodes nodes={nodes} />
      </span>
    </span>
  );
}
