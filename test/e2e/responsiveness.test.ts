// The bot answers while it works through thousands of rows: an update sent during a daily tick or a large fan-out is answered
// before that work ends (shown by order, not by a clock), on the embedded SQLite where every query shares one connection.
import { afterEach, describe, expect, it } from 'vitest';
import { createFanOut, fanOutQueries } from '../../src/delivery/fanOut.js';
import { createStoryMatcher } from '../../src/delivery/storyMatch.js';
import { silentLogger } from '../../src/log.js';
import { startHarness, type Harness } from '../support/botHarness.js';
import { fillChats, fillDailyEntries, fillSubscriptions } from '../support/bulk.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** Runs `work` and has a user write /start as it begins: whether the answer was accepted by Telegram before `work` ended. */
async function answeredDuring(harness: Harness, chatId: number, work: () => Promise<unknown>): Promise<boolean> {
  let workDone = false;
  let answeredBeforeEnd: boolean | undefined;
  harness.api.afterAccept = (m) => {
    if (m.chatId === chatId && answeredBeforeEnd === undefined) answeredBeforeEnd = !workDone;
  };
  const running = work().then(() => (workDone = true));
  harness.api.message(chatId, '/start');
  await running;
  await harness.api.waitFor(() => answeredBeforeEnd !== undefined, 30_000, 'the answer to /start');
  return answeredBeforeEnd!;
}

describe('answering while working', () => {
  it('answers /start sent during the daily digest of 3,000 chats before the tick ends, and the tick sends every digest', async () => {
    h = await startHarness();
    const db = h.bot.app.store.db;
    await fillChats(db, 3000, 'daily', h.clock.now - 60_000);
    await fillDailyEntries(db, 30, h.clock.now);
    let sent = 0;
    expect(await answeredDuring(h, 777, async () => (sent = await h!.bot.app.daily.tick()))).toBe(true);
    expect(sent).toBe(3000);
    expect(await db.selectFrom('daily_entries').select('chat_id').limit(1).execute()).toHaveLength(0);
  });

  it('answers /start sent during a fan-out of one article to 20,000 chats before the fan-out ends, and queues every push once', async () => {
    h = await startHarness();
    const app = h.bot.app;
    await fillSubscriptions(app.store.db, 'bigfeed', 20_000);
    const fanOut = createFanOut({
      ...fanOutQueries(app.store),
      stories: createStoryMatcher({ stories: app.store.stories, onMerged: async () => {}, log: silentLogger }),
      onEdited: async () => {},
      onQueued: () => app.sender.wake(),
      log: silentLogger,
      now: app.now,
    });
    const article = { key: 'a1', url: 'https://news.example/a1', title: '一篇文章', categories: [], contentText: '正文', feedId: 'bigfeed', feedTitle: '大号', firstSeenAt: 0, ownSite: true };
    const digest = { title: '标题', tldr: '一句话。', summary: '一段摘要。', tags: ['科技'], model: 'm', promptVersion: 'v', createdAt: 0 };
    expect(await answeredDuring(h, 778, () => fanOut.dispatch({ article, feedId: 'bigfeed', feedTitle: '大号', digest }))).toBe(true);
    const queued = await app.store.db.selectFrom('outbox').select((eb) => eb.fn.countAll<number>().as('n')).where('id', 'like', 'p:%').executeTakeFirstOrThrow();
    const sentAlready = await app.store.db.selectFrom('sent').select((eb) => eb.fn.countAll<number>().as('n')).where('id', 'like', 'p:%').executeTakeFirstOrThrow();
    expect(Number(queued.n) + Number(sentAlready.n)).toBe(20_000);
  });
});
