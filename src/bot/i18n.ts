// Every sentence the bot says, in Chinese and in English (for users whose Telegram speaks English).
import type { Lang } from '../core/renderDigest.js';
import type { Figures } from '../ops/figures.js';

export type { Lang };

export function langOf(languageCode: string | undefined): Lang {
  return languageCode?.toLowerCase().startsWith('en') ? 'en' : 'zh';
}

export const COMMANDS: Array<{ command: string; zh: string; en: string }> = [
  { command: 'sub', zh: '订阅 RSS/Atom/JSON 源（可一次多个）', en: 'Follow feeds (several at once)' },
  { command: 'unsub', zh: '取消订阅', en: 'Unfollow a feed' },
  { command: 'list', zh: '查看订阅及其状态', en: 'Your feeds and their health' },
  { command: 'set', zh: '单个订阅的设置：推送方式、标题、预览', en: 'One feed’s options: delivery, title, preview' },
  { command: 'filter', zh: '按关键词或标签过滤文章', en: 'Filter articles by word or tag' },
  { command: 'channels', zh: '私聊中管理你的频道：/sub @频道 网址', en: 'Manage your channels here: /sub @channel URL' },
  { command: 'tags', zh: '最近 7 天文章的标签', en: 'Tags of the last 7 days’ articles' },
  { command: 'summary', zh: '为任意网页生成中文摘要', en: 'Chinese digest of any page' },
  { command: 'digest', zh: '立即发送每日摘要', en: 'Send the daily digest now' },
  { command: 'mode', zh: '推送方式：instant / daily / both', en: 'Delivery: instant / daily / both' },
  { command: 'time', zh: '每日摘要时间 HH:MM', en: 'Daily digest time HH:MM' },
  { command: 'tz', zh: '时区，例如 Asia/Shanghai', en: 'Time zone, e.g. Asia/Shanghai' },
  { command: 'settings', zh: '查看和修改设置', en: 'Show and change settings' },
  { command: 'export', zh: '导出订阅为 OPML', en: 'Export feeds as OPML' },
  { command: 'import', zh: '从 OPML 文件导入订阅', en: 'Import feeds from an OPML file' },
  { command: 'lang', zh: '语言：zh 或 en', en: 'Language: zh or en' },
  { command: 'help', zh: '帮助', en: 'Help' },
];

/**
 * Every text is Telegram HTML, ready to send: its own `<`, `>` and `&` are escaped here, and every argument a caller passes
 * in must already be escaped (titles, URLs, user input). A test renders each with hostile samples through Telegram's rules.
 */
export type Texts = {
  welcome: string;
  help: string;
  usage: Record<string, string>;
  adminOnly: string;
  adminOnlyDigest: string;
  /** Said once when the bot is added to a group. */
  groupWelcome: string;
  subWorking: (n: number) => string;
  subTooMany: (max: number, dropped: number) => string;
  subAdded: (title: string, url: string) => string;
  subAlready: (title: string) => string;
  subDiscovered: (page: string) => string;
  subFailed: (input: string, reason: string) => string;
  subLimit: (max: number) => string;
  subOverCap: (max: number, list: string) => string;
  unsubDone: (title: string) => string;
  unsubUnknown: (what: string) => string;
  unsubPick: string;
  /** Toasts for button presses. */
  saved: string;
  /** A settings button for what is already chosen. */
  alreadySet: string;
  unsubToast: string;
  staleButton: string;
  listEmpty: string;
  listHeader: (n: number) => string;
  healthOk: string;
  healthNew: string;
  healthFailing: (count: number, error: string) => string;
  summaryWorking: string;
  /** The note of a /summary that waits behind `n` other requests of the chat. */
  summaryQueued: (n: number) => string;
  summaryUnreadable: string;
  summaryUnfaithful: string;
  /** /summary of a feed's address: it is followed, not digested. */
  summaryIsFeed: (title: string, url: string) => string;
  summaryFailed: (reason: string) => string;
  summaryQuota: (n: number) => string;
  digestEmpty: string;
  modeSet: (mode: string) => string;
  timeSet: (time: string, tz: string) => string;
  /** A time that cannot be (25:00). */
  timeBad: (input: string) => string;
  tzSet: (tz: string) => string;
  tzBad: (tz: string) => string;
  settings: (mode: string, time: string, tz: string, feeds: number, merge: boolean) => string;
  /** The /settings buttons that merge one story told by several feeds, or not. */
  mergeButtons: { on: string; off: string };
  exportEmpty: string;
  exportCaption: (n: number) => string;
  importNeedsFile: string;
  importWorking: (n: number) => string;
  importReport: (added: number, already: number, failed: number, left: number) => string;
  /** Heads the outlines left out because the chat follows as many feeds as it may. */
  importOverCap: (max: number, n: number) => string;
  /** Heads the outlines past the number one file may bring. */
  importPastFile: (max: number, n: number) => string;
  /** Heads the outlines that failed for one reason. */
  importFailedGroup: (reason: string, n: number) => string;
  importMore: (n: number) => string;
  importLeftCaption: (n: number) => string;
  importBadFile: (reason: string) => string;
  opmlReasons: { tooLarge: string; notOpml: string; empty: string };
  modeNames: Record<'instant' | 'daily' | 'both', string>;
  langSet: string;
  llmDown: (since: string) => string;
  /** Hints for what the bot does not take as a command. */
  unknownCommand: string;
  plainTextHint: string;
  offerSummary: string;
  summaryButton: string;
  offerImport: string;
  channelHelp: string;
  /** A request that failed for good (after retries, or because it stopped the bot): the id the operator finds it under. */
  jobFailed: (id: string) => string;
  stats: (f: Figures) => string;
};

export const TEXTS: Record<Lang, Texts> = {
  zh: {
    welcome: '你好！我会关注你订阅的 RSS/Atom/JSON 源，把每篇新文章浓缩成简体中文摘要推送给你。\n\n发送 /sub 加上网址即可订阅，例如：\n/sub https://www.ruanyifeng.com/blog/atom.xml',
    help: '可用命令：',
    usage: {
      sub: '用法：/sub &lt;网址&gt; [&lt;网址&gt; ...]',
      unsub: '用法：/unsub &lt;网址或编号&gt;',
      summary: '用法：/summary &lt;网址&gt;',
      mode: '用法：/mode instant|daily|both',
      time: '用法：/time 时间（例如 /time 08:30、/time 晚上9点、/time 7点半）',
      tz: '用法：/tz &lt;时区&gt;（例如 /tz Asia/Shanghai、/tz 北京、/tz UTC+8）',
      lang: '用法：/lang zh 或 /lang en',
    },
    adminOnly: '只有管理员可以修改订阅和设置。',
    adminOnlyDigest: '只有管理员可以立即发送每日摘要（它会清空全群等待中的摘要）。',
    groupWelcome: '👋 你好！我会把订阅源的新文章做成中文摘要发到这个群。群管理员发送 /sub 网址 订阅，/list 查看，/settings 设置；只有管理员可以修改订阅和设置。发送 /help 查看全部命令。',
    saved: '已保存',
    alreadySet: '已经是这个设置了',
    unsubToast: '已取消订阅',
    staleButton: '这个按钮已过期，请重新发送 /unsub 查看当前订阅。',
    subWorking: (n) => `正在检查 ${n} 个源……`,
    subTooMany: (max, dropped) => `一次最多订阅 ${max} 个网址，后面的 ${dropped} 个没有处理，请分批发送。`,
    subAdded: (title, url) => `✅ 已订阅 <b>${title}</b>\n${url}\n之后的新文章会推送到这里（不推送旧文章）。`,
    subAlready: (title) => `已经订阅过 <b>${title}</b>。`,
    subDiscovered: (page) => `（从网页 ${page} 中找到了订阅源）`,
    subFailed: (input, reason) => `❌ 无法订阅 ${input}：${reason}`,
    subLimit: (max) => `每个对话最多订阅 ${max} 个源。`,
    subOverCap: (max, list) => `❌ 每个对话最多订阅 ${max} 个源，已经订满，这些没有订阅（先用 /unsub 取消一些再试）：\n${list}`,
    unsubDone: (title) => `已取消订阅 <b>${title}</b>。`,
    unsubUnknown: (what) => `没有找到订阅：${what}。发送 /list 查看编号。`,
    unsubPick: '选择要取消的订阅：',
    listEmpty: '还没有订阅。发送 /sub &lt;网址&gt; 开始。',
    listHeader: (n) => `共 ${n} 个订阅：`,
    healthOk: '正常',
    healthNew: '等待首次抓取',
    healthFailing: (count, error) => `⚠️ 连续失败 ${count} 次：${error}`,
    summaryWorking: '⏳ 正在读取并生成摘要……',
    summaryQueued: (n) => `⏳ 已排队：前面还有 ${n} 个请求，完成后会接着读取这个网页并生成摘要。`,
    summaryUnreadable: '这个网页上没有可以读取的文章正文，没有生成摘要。',
    summaryUnfaithful: '生成的摘要里有原文没有的数字或名称，再次要求后仍然如此，所以没有采用。请直接阅读原文。',
    summaryIsFeed: (title, url) => `这是一个订阅源（${title}），不是一篇文章。要订阅它的新文章，请发送：\n/sub ${url}`,
    summaryFailed: (reason) => `生成摘要失败：${reason}`,
    summaryQuota: (n) => `今天的 /summary 次数已用完（每人每天 ${n} 次）。`,
    digestEmpty: '自上次摘要以来没有新文章。',
    modeSet: (mode) => `推送方式已改为：${mode}`,
    timeSet: (time, tz) => `每日摘要时间已设为 ${time}（${tz}）。`,
    timeBad: (input) => `没有“${input}”这个时间：小时是 0–23，分钟是 0–59。例如 /time 08:30 或 /time 晚上9点。`,
    tzSet: (tz) => `时区已设为 ${tz}。`,
    tzBad: (tz) => `不认识的时区：${tz}。可以写城市（北京、东京、纽约、London）、时差（UTC+8），或 IANA 名称（Asia/Shanghai）。`,
    settings: (mode, time, tz, feeds, merge) =>
      `⚙️ 设置\n推送方式：${mode}\n每日摘要：${time}（${tz}）\n订阅数：${feeds}\n同一新闻：${merge ? '合并（多个源报道同一件事只推送一次，后来的来源以“也见于”补在第一条下面）' : '不合并（每个源各推一条）'}\n\n其他时间用 /time（如 /time 9:30），其他时区用 /tz（如 /tz 柏林、/tz UTC+8）。`,
    mergeButtons: { on: '同一新闻合并', off: '不合并' },
    exportEmpty: '没有可导出的订阅。',
    exportCaption: (n) => `共 ${n} 个订阅的 OPML 文件。`,
    importNeedsFile: '请发送 OPML 文件，并在说明中写 /import（或回复该文件发送 /import）。',
    importWorking: (n) => `正在导入 ${n} 个源……`,
    importReport: (added, already, failed, left) => `导入完成：新增 ${added} 个，已订阅 ${already} 个，失败 ${failed} 个${left ? `，未导入 ${left} 个` : ''}。`,
    importOverCap: (max, n) => `📦 每个对话最多订阅 ${max} 个源，已经订满，下面 ${n} 个没有导入（先用 /unsub 取消一些订阅，再导入它们）：`,
    importPastFile: (max, n) => `📄 一个文件最多读取 ${max} 个源，后面 ${n} 个没有读取：`,
    importFailedGroup: (reason, n) => `❌ ${reason}（${n} 个）：`,
    importMore: (n) => `……还有 ${n} 个。没有导入的源都在附件 not-imported.opml 里，可以之后再导入。`,
    importLeftCaption: (n) => `没有导入的 ${n} 个源`,
    importBadFile: (reason) => `无法读取这个文件：${reason}`,
    opmlReasons: { tooLarge: '文件超过 1 MB', notOpml: '这不是 OPML 文件', empty: '文件里没有订阅源' },
    modeNames: { instant: '即时推送', daily: '每日摘要', both: '即时 + 每日' },
    langSet: '好的，之后用中文回复。（摘要本身总是中文。）',
    llmDown: (since) => `⚠️ 摘要服务自 ${since} 起暂时不可用：新文章在等待，恢复后会自动补发。`,
    unknownCommand: '没有这个命令。发送 /help 查看可用的命令。',
    plainTextHint: '发送一个网址即可生成摘要，发送 /sub 加网址订阅，发送 /help 查看全部命令。',
    offerSummary: '要为这个网址生成中文摘要吗？',
    summaryButton: '生成摘要',
    offerImport: '要导入这个文件里的订阅吗？回复这个文件并发送 /import 即可。',
    channelHelp: '在频道里发送 /sub 网址 订阅，/list 查看，/unsub 取消，/settings 设置。',
    jobFailed: (id) => `❌ 这个请求多次尝试后仍然失败（编号 ${id}）。请稍后再发一次；如果一直失败，请把编号告诉机器人的管理员。`,
    stats: (f) =>
      [
        '📊 运行状态',
        `订阅源：${f.feeds}`,
        `活跃会话：${f.activeChats}`,
        `待发送消息：${f.queued}`,
        `等待摘要的文章：${f.pendingDigests}`,
        `失败任务：请求 ${f.failed.job}，摘要 ${f.failed.digest}，消息 ${f.failed.message}` + (f.failed.job + f.failed.digest + f.failed.message ? '（运行 feed-digest-bot failed 查看）' : ''),
        `今日 LLM 用量：${f.llmTokensToday} tokens`,
        `今日摘要核对：改正 ${f.unfaithfulToday.revised} 篇，删句 ${f.unfaithfulToday.trimmed} 篇，未采用 ${f.unfaithfulToday.refused} 篇`,
        `今日同一新闻合并：${f.mergedToday.sources} 个来源并入已推送的新闻，少推送 ${f.mergedToday.edits} 条`,
        `发送：${f.sender.held ? (f.sender.here ? '由本实例发送' : '由另一个实例发送') : '⚠️ 没有实例在发送'}`,
      ].join('\n'),
  },
  en: {
    welcome: 'Hello! I follow RSS/Atom/JSON feeds for you and send each new article as a short Simplified-Chinese digest.\n\nSend /sub with a URL to follow a feed, for example:\n/sub https://hnrss.org/frontpage',
    help: 'Commands:',
    usage: {
      sub: 'Usage: /sub &lt;url&gt; [&lt;url&gt; ...]',
      unsub: 'Usage: /unsub &lt;url or number&gt;',
      summary: 'Usage: /summary &lt;url&gt;',
      mode: 'Usage: /mode instant|daily|both',
      time: 'Usage: /time followed by a time of day (e.g. /time 08:30 or /time 9pm)',
      tz: 'Usage: /tz &lt;zone&gt; (e.g. /tz Europe/Berlin, /tz London, /tz UTC-5)',
      lang: 'Usage: /lang en or /lang zh',
    },
    adminOnly: 'Only administrators can change feeds and settings.',
    adminOnlyDigest: 'Only administrators can send the daily digest early (it empties the waiting digest for the whole group).',
    groupWelcome: '👋 Hello! I post Chinese digests of new articles from feeds to this group. Administrators send /sub with a feed link to follow it, /list to see the feeds, /settings to change them; only administrators can change feeds and settings. Send /help for all commands.',
    saved: 'Saved',
    alreadySet: 'Already set that way',
    unsubToast: 'Unsubscribed',
    staleButton: 'This button is out of date; send /unsub to see your feeds now.',
    subWorking: (n) => (n === 1 ? 'Checking the feed…' : `Checking ${n} feeds…`),
    subTooMany: (max, dropped) => `At most ${max} URLs at once: the last ${dropped} were left out; please send them separately.`,
    subAdded: (title, url) => `✅ Following <b>${title}</b>\n${url}\nNew articles will arrive here (no backlog).`,
    subAlready: (title) => `Already following <b>${title}</b>.`,
    subDiscovered: (page) => `(found on the page ${page})`,
    subFailed: (input, reason) => `❌ Cannot follow ${input}: ${reason}`,
    subLimit: (max) => `A chat can follow at most ${max} feeds.`,
    subOverCap: (max, list) => `❌ A chat can follow at most ${max} feeds and this one is full; not followed (unfollow some with /unsub, then try again):\n${list}`,
    unsubDone: (title) => `Unfollowed <b>${title}</b>.`,
    unsubUnknown: (what) => `No such subscription: ${what}. See /list for the numbers.`,
    unsubPick: 'Pick a feed to unfollow:',
    listEmpty: 'No feeds yet. Send /sub &lt;url&gt; to start.',
    listHeader: (n) => (n === 1 ? '1 feed:' : `${n} feeds:`),
    healthOk: 'ok',
    healthNew: 'not fetched yet',
    healthFailing: (count, error) => `⚠️ failed ${count === 1 ? 'once' : `${count} times in a row`}: ${error}`,
    summaryWorking: '⏳ Reading the page and writing a digest…',
    summaryQueued: (n) => `⏳ Queued: ${n === 1 ? 'one request is' : `${n} requests are`} ahead of this one; the page is read and digested right after.`,
    summaryUnreadable: 'There is no article text to read on this page; no digest.',
    summaryUnfaithful: 'The digest stated numbers or names the page does not, even when asked again, so it was not used. Please read the page itself.',
    summaryIsFeed: (title, url) => `This is a feed (${title}), not an article. To follow its new articles, send:\n/sub ${url}`,
    summaryFailed: (reason) => `No digest: ${reason}`,
    summaryQuota: (n) => `You have used today's /summary quota (${n} a day).`,
    digestEmpty: 'Nothing new since the last digest.',
    modeSet: (mode) => `Delivery is now: ${mode}`,
    timeSet: (time, tz) => `Daily digest at ${time} (${tz}).`,
    timeBad: (input) => `There is no time “${input}”: hours go from 0 to 23, minutes from 0 to 59. For example /time 08:30 or /time 9pm.`,
    tzSet: (tz) => `Time zone set to ${tz}.`,
    tzBad: (tz) => `Unknown time zone: ${tz}. Write a city (Beijing, Tokyo, New York), an offset (UTC+8) or an IANA name (Asia/Shanghai).`,
    settings: (mode, time, tz, feeds, merge) =>
      `⚙️ Settings\nDelivery: ${mode}\nDaily digest: ${time} (${tz})\nFeeds: ${feeds}\nSame story: ${merge ? 'merged (told by several feeds, it comes once; later sources are added under it as "Also in")' : 'not merged (each feed sends its own)'}\n\nAnother time with /time (e.g. /time 9:30), another zone with /tz (e.g. /tz Berlin, /tz UTC-5).`,
    mergeButtons: { on: 'Merge same story', off: "Don't merge" },
    exportEmpty: 'No feeds to export.',
    exportCaption: (n) => (n === 1 ? 'OPML with 1 feed.' : `OPML with ${n} feeds.`),
    importNeedsFile: 'Send an OPML file with /import as its caption (or reply /import to the file).',
    importWorking: (n) => (n === 1 ? 'Importing 1 feed…' : `Importing ${n} feeds…`),
    importReport: (added, already, failed, left) => `Import done: ${added} added, ${already} already followed, ${failed} failed${left ? `, ${left} not imported` : ''}.`,
    importOverCap: (max, n) => `📦 A chat can follow at most ${max} feeds and this one is full: ${n === 1 ? 'this one was' : `these ${n} were`} not imported (unfollow some with /unsub, then import them):`,
    importPastFile: (max, n) => `📄 At most ${max} feeds are read from one file; ${n === 1 ? 'this one was' : `these ${n} were`} not read:`,
    importFailedGroup: (reason, n) => `❌ ${reason} (${n}):`,
    importMore: (n) => `…and ${n} more. Every feed not imported is in the attached not-imported.opml, to import later.`,
    importLeftCaption: (n) => (n === 1 ? 'The feed not imported' : `The ${n} feeds not imported`),
    importBadFile: (reason) => `Cannot read this file: ${reason}`,
    opmlReasons: { tooLarge: 'it is larger than 1 MB', notOpml: 'it is not an OPML file', empty: 'it lists no feeds' },
    modeNames: { instant: 'instant', daily: 'daily digest', both: 'instant + daily' },
    langSet: 'OK, replies in English from now on. (The digests themselves are always in Chinese.)',
    llmDown: (since) => `⚠️ The digest service has been unavailable since ${since}: new articles wait and go out when it is back.`,
    unknownCommand: 'There is no such command. Send /help to see the commands.',
    plainTextHint: 'Send a link for its digest, /sub with a link to follow a feed, or /help for all commands.',
    offerSummary: 'Make a Chinese digest of this link?',
    summaryButton: 'Digest it',
    offerImport: 'Import the feeds in this file? Reply to it with /import.',
    channelHelp: 'In a channel: /sub URL to follow, /list to see, /unsub to stop, /settings to change.',
    jobFailed: (id) => `❌ This request failed after several tries (id ${id}). Send it again later; if it keeps failing, give the id to the bot's operator.`,
    stats: (f) =>
      [
        '📊 Status',
        `Feeds: ${f.feeds}`,
        `Active chats: ${f.activeChats}`,
        `Messages queued: ${f.queued}`,
        `Articles waiting for a digest: ${f.pendingDigests}`,
        `Failed work: ${f.failed.job} requests, ${f.failed.digest} digests, ${f.failed.message} messages` + (f.failed.job + f.failed.digest + f.failed.message ? ' (run feed-digest-bot failed)' : ''),
        `LLM tokens today: ${f.llmTokensToday}`,
        `Digests checked against their source today: ${f.unfaithfulToday.revised} corrected, ${f.unfaithfulToday.trimmed} trimmed, ${f.unfaithfulToday.refused} not used`,
        `Same story merged today: ${f.mergedToday.sources} sources joined a story already sent, ${f.mergedToday.edits} pushes spared`,
        `Sending: ${f.sender.held ? (f.sender.here ? 'this replica' : 'another replica') : '⚠️ no replica holds the sender lease'}`,
      ].join('\n'),
  },
};
