// One story on PostgreSQL with two replicas: two outlets' write-ups digested and fanned out at the same moment on different replicas are still one push.
import { describe, expect, it, onTestFailed } from 'vitest';
import { clusterPerTest } from '../support/cluster.js';
import { postgresUp } from '../support/postgres.js';
import { LAUNCH, LAUNCH_DIGEST, linksTo, OLD, publish, REWRITE, REWRITE_DIGEST } from '../support/storyNews.js';

describe.skipIf(!postgresUp)('one story on PostgreSQL, two replicas', { timeout: 90_000 }, () => {
  const startCluster = clusterPerTest();

  it('pushes a story told by two feeds at once a single time to a chat that follows both, in every round', async () => {
    const c = await startCluster({ replicas: 2 });
    onTestFailed(() => {
      // What each replica said last, to tell a slow run from a stuck one.
      for (const [i, lines] of c.logs.entries()) console.log(`replica ${i}:\n${lines.slice(-15).join('\n')}`);
    });
    const rounds = 4;
    for (let r = 0; r < rounds; r++) for (const name of [`a${r}`, `b${r}`]) publish(c, name, [OLD]);
    for (let r = 0; r < rounds; r++) {
      await c.say(960 + r, `/sub ${c.web.url(`/a${r}.xml`)} ${c.web.url(`/b${r}.xml`)}`, /已订阅[\s\S]*已订阅/);
      await c.say(970 + r, `/sub ${c.web.url(`/b${r}.xml`)}`, /已订阅/);
    }
    await c.settle();
    for (let r = 0; r < rounds; r++) {
      // Both feeds publish their write-up in the same tick; each replica's poll and digest workers take what they claim.
      c.llm.clearQueue();
      c.llm.queue({ content: JSON.stringify(LAUNCH_DIGEST), delayMs: 50 }, { content: JSON.stringify(REWRITE_DIGEST), delayMs: 50 });
      publish(c, `a${r}`, [{ slug: 'gpt5', title: 'OpenAI 发布 GPT-5', text: `${LAUNCH}\n第 ${r} 轮。` }, OLD]);
      publish(c, `b${r}`, [{ slug: 'gpt5-launch', title: 'GPT-5 来了', text: `${REWRITE}\n第 ${r} 轮。` }, OLD]);
      c.clock.now += 49 * 3_600_000; // each round a story of its own: the last round's is closed to new sources
      await c.tickAll();
      const both = c.api.sentTo(960 + r).filter((m) => m.text.includes('GPT-5'));
      expect(both, `round ${r}: one message for the story`).toHaveLength(1);
      expect(both[0]!.text).toContain('也见于：');
      expect(linksTo(c, 960 + r, `/a${r}/gpt5`)).toHaveLength(1);
      expect(linksTo(c, 960 + r, `/b${r}/gpt5-launch`)).toHaveLength(1);
      // The chat that follows only feed b gets its write-up.
      expect(linksTo(c, 970 + r, `/b${r}/gpt5-launch`).filter((m) => m.text.includes('OpenAI'))).toHaveLength(1);
    }
  });
});
