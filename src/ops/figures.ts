// The figures an operator watches: feeds, active chats, queue depth, pending and failed work, LLM tokens today, who sends (for /stats, /metrics).
import type { FaithfulnessOutcome } from '../digests/summarize.js';
import type { ArticleQueries } from '../store/articles.js';
import type { ChatQueries } from '../store/chats.js';
import type { FailedQueries, FailedWork } from '../store/failed.js';
import type { FeedQueries } from '../store/feeds.js';
import type { Leases } from '../store/leases.js';
import type { OutboxQueries } from '../store/outbox.js';

export interface Figures {
  feeds: number;
  activeChats: number;
  /** Messages waiting for Telegram. */
  queued: number;
  pendingDigests: number;
  failed: Record<FailedWork['kind'], number>;
  llmTokensToday: number;
  /** Digests that stated what their source does not, today: corrected when told, trimmed, or not used. */
  unfaithfulToday: Record<FaithfulnessOutcome, number>;
  /** Today: articles that joined a story another feed told first, and pushes that became an edit of the chat's first one. */
  mergedToday: { sources: number; edits: number };
  /** Whether some replica holds the sender lease, and whether it is this one. */
  sender: { held: boolean; here: boolean };
  /** This process's sends since it started. */
  sends: { sent: number; rateLimited: number; retried: number; failed: number };
}

export interface FiguresDeps {
  feeds: Pick<FeedQueries, 'count'>;
  chats: Pick<ChatQueries, 'countActive'>;
  outbox: Pick<OutboxQueries, 'size'>;
  articles: Pick<ArticleQueries, 'pendingCount'>;
  failed: Pick<FailedQueries, 'counts'>;
  leases: Pick<Leases, 'holder'>;
  tokensToday(): Promise<number>;
  unfaithfulToday(): Promise<Record<FaithfulnessOutcome, number>>;
  mergedToday(): Promise<{ sources: number; edits: number }>;
  sender: { draining: boolean; stats: { sent: number; rateLimited: number; retried: number; dropped: number } };
}

export async function readFigures(deps: FiguresDeps): Promise<Figures> {
  const [feeds, activeChats, queued, pendingDigests, failed, llmTokensToday, unfaithfulToday, mergedToday, holder] = await Promise.all([
    deps.feeds.count(),
    deps.chats.countActive(),
    deps.outbox.size(),
    deps.articles.pendingCount(),
    deps.failed.counts(),
    deps.tokensToday(),
    deps.unfaithfulToday(),
    deps.mergedToday(),
    deps.leases.holder('sender'),
  ]);
  const s = deps.sender.stats;
  return {
    feeds,
    activeChats,
    queued,
    pendingDigests,
    failed,
    llmTokensToday,
    unfaithfulToday,
    mergedToday,
    sender: { held: holder !== undefined, here: deps.sender.draining },
    sends: { sent: s.sent, rateLimited: s.rateLimited, retried: s.retried, failed: s.dropped },
  };
}
