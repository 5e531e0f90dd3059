import { useUsers } from '../common/inputs';

/** A user's name from the directory (loaded once), or #id while it loads. */
export function OwnerName({ id }: { id: number | null }) {
  const users = useUsers();
  if (id === null) return null;
  const u = users.find((x) => x.id === id);
  return <>{u ? u.name || u.email : `#${id}`}</>;
}
