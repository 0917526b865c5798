// GET /metrics: the operator's figures in Prometheus' text format (prom-client), read from the tables at each scrape; no per-chat or per-feed labels.
import { Gauge, Registry } from 'prom-client';
import type { Figures } from './figures.js';

export interface Metrics {
  contentType: string;
  /** The exposition text, figures read now. */
  render(): Promise<string>;
}

export function createMetrics(read: () => Promise<Figures>): Metrics {
  const registry = new Registry();
  let current: Promise<Figures> | undefined;
  // One read of the tables per scrape, shared by every gauge's collect().
  const figures = () => (current ??= read().finally(() => setImmediate(() => (current = undefined))));
  const gauge = (name: string, help: string, set: (g: Gauge, f: Figures) => void, labelNames: string[] = []) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        set(this, await figures());
      },
    });
  gauge('fdb_feeds', 'Feeds followed by at least one chat.', (g, f) => g.set(f.feeds));
  gauge('fdb_active_chats', 'Chats the bot delivers to.', (g, f) => g.set(f.activeChats));
  gauge('fdb_outbox_queued', 'Messages waiting for Telegram.', (g, f) => g.set(f.queued));
  gauge('fdb_pending_digests', 'Articles waiting for their digest.', (g, f) => g.set(f.pendingDigests));
  gauge('fdb_failed_rows', 'Work given up after its attempts, kept for operators (see `feed-digest-bot failed`).', (g, f) => {
    for (const [kind, n] of Object.entries(f.failed)) g.set({ kind }, n);
  }, ['kind']);
  gauge('fdb_llm_tokens_today', 'LLM tokens spent today (in DIGEST_TIMEZONE).', (g, f) => g.set(f.llmTokensToday));
  gauge('fdb_digests_unfaithful_today', 'Digests that stated numbers or names their source does not, today, by what became of them.', (g, f) => {
    for (const [outcome, n] of Object.entries(f.unfaithfulToday)) g.set({ outcome }, n);
  }, ['outcome']);
  gauge('fdb_stories_merged_today', 'Today: articles that joined a story another feed told first (sources), and pushes that became an edit naming them (edits).', (g, f) => {
    for (const [kind, n] of Object.entries(f.mergedToday)) g.set({ kind }, n);
  }, ['kind']);
  gauge('fdb_sender_lease_held', '1 when some replica holds the sender lease.', (g, f) => g.set(f.sender.held ? 1 : 0));
  gauge('fdb_sender_here', '1 when this replica is the one sending.', (g, f) => g.set(f.sender.here ? 1 : 0));
  gauge('fdb_messages_total', "This process's sends since it started, by outcome.", (g, f) => {
    for (const [outcome, n] of Object.entries(f.sends)) g.set({ outcome }, n);
  }, ['outcome']);
  return { contentType: registry.contentType, render: () => registry.metrics() };
}
