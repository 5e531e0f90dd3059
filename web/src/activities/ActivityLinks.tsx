import type { Activity } from '../api';

/** The company, contact and deal an activity is about, as links (names the reader may see); `except` leaves out the page's own record. */
export function ActivityLinks({ a, except }: { a: Activity; except?: { entity: string; id: number } }) {
  const links: { href: string; text: string; cls: string }[] = [];
  if (a.company_id && a.company_name) links.push({ href: `#/companies/${a.company_id}`, text: a.company_name, cls: 'company' });
  if (a.contact_id && a.contact_name) links.push({ href: `#/contacts/${a.contact_id}`, text: a.contact_name, cls: 'contact' });
  if (a.deal_id && a.deal_name) links.push({ href: `#/deals/${a.deal_id}`, text: a.deal_name, cls: 'deal' });
  const own = except ? `#/${except.entity}/${except.id}` : '';
  const shown = links.filter((l) => l.href !== own);
  if (shown.length === 0) return null;
  return (
    <span className="activity-links">
      {shown.map((l, i) => (
        <span key={l.cls}>
          {i > 0 && <span aria-hidden="true"> · </span>}
          <a href={l.href} className={`link-${l.cls}`}>
            {l.text}
          </a>
        </span>
      ))}
    </span>
  );
}
