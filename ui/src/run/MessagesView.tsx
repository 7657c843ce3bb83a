import { useMemo, useState } from 'react';
import { Marked } from '../findings/EvidenceMarks';
import { Payload } from './detail-parts';
import { type MessagePart, parseMessages } from './messages';

interface Props {
  label: string;
  attr: string;
  text: string;
  defaultRole?: string;
  testId?: string;
}

function Part({ part }: { part: MessagePart }) {
  switch (part.kind) {
    case 'text':
      return (
        <pre className="msg-text">
          <Marked text={part.text} />
        </pre>
      );
    case 'reasoning':
      return (
        <pre className="msg-text msg-reasoning">
          <Marked text={part.text} />
        </pre>
      );
    case 'tool_call':
      return (
        <div className="msg-tool">
          <div className="small">
            call <span className="mono strong">{part.name}</span>
            {part.id !== '' && <span className="mono muted"> #{part.id}</span>}
          </div>
          <pre className="msg-text mono">
            <Marked text={part.arguments} />
          </pre>
        </div>
      );
    case 'tool_call_response':
      return (
        <div className="msg-tool">
          <div className="small">response{part.id !== '' && <span className="mono muted"> #{part.id}</span>}</div>
          <pre className="msg-text mono">
            <Marked text={part.response} />
          </pre>
        </div>
      );
    case 'other':
      return (
        <div className="msg-tool">
          <div className="small mono muted">{part.type}</div>
          <pre className="msg-text mono">
            <Marked text={part.json} />
          </pre>
        </div>
      );
  }
}

/** Messages as a conversation, with the exact JSON one click away; falls back to the payload view. */
export function MessagesView({ label, attr, text, defaultRole, testId }: Props) {
  const messages = useMemo(() => parseMessages(text, defaultRole), [text, defaultRole]);
  const [asJson, setAsJson] = useState(false);
  if (messages === null || asJson) {
    return (
      <>
        <Payload label={label} attr={attr} text={text} {...(testId === undefined ? {} : { testId })} />
        {messages !== null && (
          <>
            <dt />
            <dd>
              <button type="button" className="link-button" onClick={() => setAsJson(false)}>
                show as conversation
              </button>
            </dd>
          </>
        )}
      </>
    );
  }
  return (
    <>
      <dt title={attr}>{label}</dt>
      <dd data-testid={testId}>
        <div className="payload-box">
          <div className="payload-meta muted small">
            <span>
              {messages.length} message{messages.length === 1 ? '' : 's'}
            </span>
            <span>{text.length.toLocaleString('en-US')} chars</span>
            <button type="button" className="link-button" onClick={() => setAsJson(true)}>
              JSON
            </button>
          </div>
          <ol className="messages">
            {messages.map((m, i) => (
              // Messages have no ID; their position in the conversation is their identity.
              // biome-ignore lint/suspicious/noArrayIndexKey: see above.
              <li key={i} className={`msg role-${/^[a-z]+$/.test(m.role) ? m.role : 'other'}`}>
                <div className="msg-role">
                  {m.role}
                  {m.finishReason !== '' && <span className="muted"> · {m.finishReason}</span>}
                </div>
                {m.parts.map((p, j) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: parts are ordered and have no ID.
                  <Part key={j} part={p} />
                ))}
              </li>
            ))}
          </ol>
        </div>
      </dd>
    </>
  );
}
