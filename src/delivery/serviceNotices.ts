// The LLM being down is a fact for everyone to see: /list shows it, and ADMIN_IDS hear once when it goes down and once when it is back.
import { escapeHtml, truncate } from '../core/telegramHtml.js';
import type { LlmError } from '../digests/llmClient.js';
import type { Logger } from '../log.js';
import type { ServiceHealth } from '../store/serviceHealth.js';
import { htmlMessage, type Sender } from './sender.js';

export interface LlmHealthDeps {
  services: ServiceHealth;
  sender: Pick<Sender, 'enqueueMany'>;
  adminIds: number[];
  log: Logger;
  now: () => number;
}

export function createLlmHealth(deps: LlmHealthDeps) {
  const tell = async (idPrefix: string, html: string) => {
    await deps.sender.enqueueMany(deps.adminIds.map((chatId) => htmlMessage(`${idPrefix}:${chatId}`, chatId, html, { priority: 0 })));
  };
  return {
    async failed(error: LlmError) {
      const since = deps.now();
      if (!(await deps.services.markDown('llm', since, error.message))) return;
      deps.log.warn('the LLM is down; articles wait for it', { error: error.message });
      const why = escapeHtml(truncate(error.message, 200));
      await tell(`llm-down:${since}`, `⚠️ 摘要服务（LLM）不可用，新文章会等待，恢复后自动补发。\nThe LLM is unavailable; articles wait and go out when it is back.\n<i>${why}</i>`);
    },
    async worked() {
      if (!(await deps.services.markUp('llm'))) return;
      deps.log.info('the LLM answers again', {});
      await tell(`llm-up:${deps.now()}`, '✅ 摘要服务（LLM）已恢复。\nThe LLM answers again.');
    },
  };
}
