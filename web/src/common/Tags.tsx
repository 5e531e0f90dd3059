export function Tags({ tags }: { tags: string[] | null | undefined }) {
  if (!tags || tags.length === 0) return null;
  return (
    <span className="tags">
      {tags.map((x) => (
        <span className="tag" key={x}>
          {x}
        </span>
      ))}
    </span>
  );
}
