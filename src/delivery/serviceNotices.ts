// The LLM being down is a fact for everyone to see: /list shows it, and ADMIN_IDS hear once when it stays down and once when it is back.
import type { ChatSettings } from '../core/model.js';
import type { Lang } from '../core/renderDigest.js';
import { localMoment } from '../core/timeZoneInput.js';
import type { LlmError, LlmErrorKind } from '../digests/llmClient.js';
import type { Logger } from '../log.js';
import type { ServiceHealth } from '../store/serviceHealth.js';
import { htmlMessage, type Sender } from './sender.js';

/** A failing LLM alarms only when it keeps failing this long (one 500 among successes is not an outage). */
export const LLM_ALERT_AFTER_MS = 60_000;

export interface LlmHealthDeps {
  services: ServiceHealth;
  sender: Pick<Sender, 'enqueueMany'>;
  /** Each admin's own chat, for its language and time zone. */
  chats: { get(id: number): Promise<Pick<ChatSettings, 'lang' | 'timezone'> | undefined> };
  adminIds: number[];
  /** One tiny request: does the LLM answer now? */
  ping: () => Promise<void>;
  /** The LLM answers again: digests waiting for their retry are due now. */
  onRecovered: () => Promise<void>;
  log: Logger;
  now: () => number;
}

export interface LlmHealth {
  failed(error: LlmError): Promise<void>;
  worked(): Promise<void>;
  /** While the LLM is marked down, asks it whether it answers (the scheduler calls this every few seconds). */
  probe(): Promise<void>;
}

/** Why the LLM fails, in words an operator acts on (the provider's own text goes to the log). */
const REASONS: Record<LlmErrorKind, Record<Lang, string>> = {
  timeout: { zh: '请求超时，没有回应', en: 'it does not answer in time' },
  unreachable: { zh: '连不上服务器', en: 'it cannot be reached' },
  'rate-limited': { zh: '请求被限流（429）', en: 'it refuses with 429 (rate limit)' },
  server: { zh: '服务器出错（5xx）', en: 'it answers with server errors (5xx)' },
  auth: { zh: '密钥被拒绝：请检查 OPENAI_API_KEY', en: 'it refuses the key: check OPENAI_API_KEY' },
  model: { zh: '找不到模型：请检查 OPENAI_MODEL 和 OPENAI_BASE_URL', en: 'the model is not found: check OPENAI_MODEL and OPENAI_BASE_URL' },
  refused: { zh: '请求被拒绝', en: 'it refuses the requests' },
  'invalid-output': { zh: '返回的内容无法使用', en: 'its answers cannot be used' },
};

const minutes = (ms: number) => Math.max(1, Math.round(ms / 60_000));

export function createLlmHealth(deps: LlmHealthDeps): LlmHealth {
  const tell = async (idPrefix: string, html: (lang: Lang, timezone: string) => string) => {
    const messages = await Promise.all(
      deps.adminIds.map(async (chatId) => {
        const chat = await deps.chats.get(chatId).catch(() => undefined);
        return htmlMessage(`${idPrefix}:${chatId}`, chatId, html(chat?.lang ?? 'zh', chat?.timezone ?? 'Asia/Shanghai'), { priority: 0 });
      }),
    );
    await deps.sender.enqueueMany(messages);
  };

  const worked = async () => {
    const down = await deps.services.markUp('llm');
    if (!down) return;
    const after = minutes(deps.now() - down.since);
    deps.log.info('the LLM answers again', { downMinutes: after });
    await deps.onRecovered();
    await tell(`llm-up:${down.since}`, (lang) =>
      lang === 'en' ? `✅ The LLM answers again (it was down for about ${after} min); waiting articles are being digested.` : `✅ 摘要服务（LLM）已恢复（中断约 ${after} 分钟），等待中的文章正在补发。`,
    );
  };

  return {
    async failed(error) {
      const now = deps.now();
      // Whichever replica failed first set when the failures began; an alarm only once they have lasted.
      const since = await deps.services.failingSince('llm', now);
      if (now - since < LLM_ALERT_AFTER_MS) return;
      if (!(await deps.services.markDown('llm', since, error.kind))) return;
      deps.log.warn('the LLM is down; articles wait for it', { kind: error.kind, error: error.message });
      await tell(`llm-down:${since}`, (lang, tz) => {
        const at = localMoment(since, tz);
        const why = REASONS[error.kind][lang];
        return lang === 'en'
          ? `⚠️ The LLM has been failing since ${at}: ${why}. New articles wait and go out with their digests when it is back.`
          : `⚠️ 摘要服务（LLM）自 ${at} 起不可用：${why}。新文章会等待，恢复后自动补发摘要。`;
      });
    },
    worked,
    async probe() {
      if (!(await deps.services.down('llm'))) return;
      try {
        await deps.ping();
      } catch {
        return; // still down: the alert stands
      }
      await worked();
    },
  };
}
