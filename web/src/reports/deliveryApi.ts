// Report subscriptions (docs/api.md "Report subscriptions"): a report mailed on a schedule, each
// recipient getting it with their own rights. One's own (an administrator: everyone's).
import { request } from '../api';

export type Schedule =
  | { kind: 'weekly'; weekday: number; time: string }
  | { kind: 'monthly'; day: number; time: string }
  | { kind: 'cron'; expr: string };

export interface SubscriptionInput {
  report_id: number;
  format: 'xlsx' | 'csv' | 'pdf';
  schedule: Schedule;
  recipients: number[];
  tz?: string;
  params?: Record<string, string>;
  active?: boolean;
}

export interface Subscription extends Required<SubscriptionInput> {
  id: number;
  owner_id: number;
  report_name: string;
  cron: string;
  next_at: string | null;
  last_sent_at: string | null;
  version: number;
}

export interface Delivery {
  id: number;
  delivered: { user_id: number; rows: number }[];
  skipped: { user_id: number; reason: string }[];
}

export const subscriptions = {
  list: (signal?: AbortSignal) => request<{ data: Subscription[] }>('GET', '/report-subscriptions', { signal }).then((r) => r.data.data),
  create: (body: SubscriptionInput) => request<Subscription>('POST', '/report-subscriptions', { body }).then((r) => r.data),
  update: (id: number, body: Partial<SubscriptionInput>) =>
    request<Subscription>('PATCH', `/report-subscriptions/${id}`, { body }).then((r) => r.data),
  remove: (id: number) => request<null>('DELETE', `/report-subscriptions/${id}`),
  sendNow: (id: number) => request<Delivery>('POST', `/report-subscriptions/${id}/send-now`).then((r) => r.data),
};
