// What a failure means to the person who asked, in their language and in a few words; the detail goes to the log under an id they can quote.
import { randomBytes } from 'node:crypto';
import type { Lang } from '../core/renderDigest.js';
import { BudgetExhaustedError } from '../digests/tokenBudget.js';
import { LlmError } from '../digests/llmClient.js';
import { NotAFeedError } from '../feeds/parseFeed.js';
import { FetchError } from '../feeds/safeFetch.js';
import type { Logger } from '../log.js';
import { SubscribeError } from '../polling/subscribe.js';

type Words = Record<Lang, string>;

/** A person's request that is not done by its deadline: they hear so, while the work goes on (its result is cached). */
export class TooSlowError extends Error {
  constructor(readonly ms: number) {
    super(`not done within ${Math.round(ms / 1000)} s`);
    this.name = 'TooSlowError';
  }
}

/** `work`, or a TooSlowError after `ms`. */
export function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TooSlowError(ms)), ms);
    timer.unref();
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

const W = {
  badUrl: { zh: '这不是一个有效的网址', en: 'that is not a web address' },
  refused: { zh: '不能访问这个地址（内网或本机地址）', en: 'that address cannot be fetched (a private network)' },
  notFound: { zh: '网站返回 404：找不到这个地址', en: 'the site answered 404: no such address' },
  timeout: { zh: '网站在时限内没有响应，请稍后再试', en: 'the site did not answer in time; try again later' },
  tooLarge: { zh: '内容太大，无法读取', en: 'it is too large to read' },
  redirects: { zh: '网站的跳转太多或形成了循环', en: 'the site redirects too often or in a loop' },
  network: { zh: '连不上这个网站', en: 'the site cannot be reached' },
  notAFeed: { zh: '这不是有效的 RSS/Atom/JSON 订阅源，网页里也没有声明订阅源', en: 'it is not a valid RSS/Atom/JSON feed, and the page links none' },
  noPage: { zh: '这不是可以读取的网页', en: 'it is not a page that can be read' },
  llm: { zh: '摘要服务暂时不可用，请稍后再试', en: 'the digest service is unavailable; try again later' },
  budget: { zh: '今天的摘要额度已用完，明天再试', en: "today's digest budget is spent; try again tomorrow" },
  slow: { zh: '处理得太久了，请过一两分钟再发一次（摘要可能那时已经生成好）', en: 'it is taking too long; send it again in a minute or two (the digest may be ready by then)' },
} satisfies Record<string, Words>;

const httpStatus = (status: number): Words =>
  status === 404 ? W.notFound : { zh: `网站返回错误 ${status}`, en: `the site answered with an error (${status})` };

/** The words for a known failure, or undefined for one the user cannot act on (an internal error). */
function wordsFor(error: unknown): Words | undefined {
  if (error instanceof SubscribeError) {
    if (error.reason === 'bad-url') return W.badUrl;
    if (error.reason === 'not-a-feed') return W.notAFeed;
    return error.cause === undefined ? W.notAFeed : wordsFor(error.cause);
  }
  if (error instanceof FetchError) {
    switch (error.kind) {
      case 'bad-url':
        return W.badUrl;
      case 'refused':
        return W.refused;
      case 'http':
        return httpStatus(error.status ?? 0);
      case 'timeout':
        return W.timeout;
      case 'too-large':
        return W.tooLarge;
      case 'redirects':
        return W.redirects;
      default:
        return W.network;
    }
  }
  if (error instanceof NotAFeedError) return W.notAFeed;
  if (error instanceof TooSlowError) return W.slow;
  if (error instanceof LlmError) return W.llm;
  if (error instanceof BudgetExhaustedError) return W.budget;
  if (error instanceof Error && /malformed feed|not a feed|feed is empty|not recognized as RSS/i.test(error.message)) return W.notAFeed;
  return undefined;
}

/**
 * A short reason for the user. Internal failures say so with an id; the detail is logged under that id.
 * (`context` adds the log fields: chatId, url.)
 */
export function explain(error: unknown, lang: Lang, log: Logger, context: Record<string, unknown>): string {
  const words = wordsFor(error);
  if (words) return words[lang];
  const id = randomBytes(3).toString('hex');
  log.error('request failed', { errorId: id, ...context, error });
  return lang === 'en' ? `an internal error (id ${id}); please try again later` : `内部错误（编号 ${id}），请稍后再试`;
}

/** A feed's last error, as stored, in words for /list: what is wrong, not the parser's message. */
export function healthReason(lastError: string, lang: Lang): string {
  const status = /HTTP (\d{3})/.exec(lastError)?.[1];
  if (status) return httpStatus(Number(status))[lang];
  if (/malformed feed|HTML page, not a feed|not a feed|empty|not recognized/i.test(lastError)) return W.notAFeed[lang];
  if (/no complete answer|timed? ?out/i.test(lastError)) return W.timeout[lang];
  if (/refused|not a public address/i.test(lastError)) return W.refused[lang];
  if (/too large|over the .*limit/i.test(lastError)) return W.tooLarge[lang];
  if (/redirect/i.test(lastError)) return W.redirects[lang];
  return W.network[lang];
}
