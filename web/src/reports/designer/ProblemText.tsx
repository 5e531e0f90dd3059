/** The server's messages for one part of the description, under it. */
export function ProblemText({ messages, path }: { messages: string[]; path: string }) {
  if (messages.length === 0) return null;
  return (
    <div className="field-error" role="alert" data-path={path}>
      {messages.join('; ')}
    </div>
  );
}
