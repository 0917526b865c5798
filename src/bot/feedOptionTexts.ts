// What the bot says about one feed's options, its filters and /tags, in Chinese and in English (arguments come escaped, as in i18n.ts).
import type { FeedMode } from '../core/model.js';
import { escapeHtml } from '../core/telegramHtml.js';
import type { Lang } from './i18n.js';

export type FeedOptionTexts = {
  usageSet: string;
  usageFilter: string;
  modeNames: Record<FeedMode, string>;
  /** The chat's own mode, named after "as the chat". */
  modeFollows: (chatMode: string) => string;
  panel: (n: number, title: string, url: string) => string;
  panelMode: (mode: string) => string;
  panelTitle: (title: string) => string;
  panelPreview: (on: boolean) => string;
  panelTopic: (threadId: number) => string;
  panelFilter: (filter: string) => string;
  panelAllFilter: (filter: string) => string;
  panelNoFilter: string;
  panelHelp: (n: number) => string;
  pick: string;
  back: string;
  previewButton: (on: boolean) => string;
  clearTitle: string;
  clearFilter: string;
  toGeneral: string;
  /** One line under a feed in /list: its options that differ from the defaults. */
  listOptions: (parts: string) => string;
  listFilter: (filter: string, dropped: number) => string;
  listAllFilter: (filter: string, dropped: number) => string;
  listOwnTitle: (feedTitle: string) => string;
  listTopicFirst: string;
  setDone: (title: string) => string;
  setBadMode: (value: string) => string;
  setTitleLong: (max: number) => string;
  setNoTopic: string;
  unknownFeed: (what: string) => string;
  filterAll: string;
  filterSet: (scope: string, filter: string) => string;
  filterCleared: (scope: string) => string;
  filterNone: (scope: string) => string;
  filterShow: (scope: string, filter: string) => string;
  filterExplain: string;
  problemShort: (term: string) => string;
  problemLong: (term: string, max: number) => string;
  problemTag: (term: string) => string;
  problemMany: (max: number) => string;
  tagsNone: string;
  tagsHeader: (days: number) => string;
  tagsHint: string;
  tagAdded: (term: string) => string;
  tagAlready: (term: string) => string;
  tagLimit: (max: number) => string;
  remoteNotFound: (ref: string) => string;
  remoteNotAdmin: (title: string) => string;
  remoteBotCannotPost: (title: string) => string;
  remotePrivateOnly: string;
  remoteHeader: (title: string) => string;
  channelsNone: string;
  channelsHeader: string;
  channelLine: (title: string, ref: string, feeds: number) => string;
};

export const FEED_OPTION_TEXTS: Record<Lang, FeedOptionTexts> = {
  zh: {
    usageSet:
      '用法：\n/set &lt;编号或网址&gt; mode chat|instant|daily|both|muted（推送方式；chat 跟随对话的 /mode）\n/set &lt;编号&gt; title 新标题（title - 恢复订阅源自己的标题）\n/set &lt;编号&gt; preview on|off（链接预览，显示文章大图）\n/set &lt;编号&gt; topic here|general（论坛群组：发到这个话题或 General）\n/set &lt;编号&gt; 单独发送会显示这个订阅的设置按钮。',
    usageFilter:
      '用法：/filter &lt;编号|网址|all&gt; 过滤词……\n+词：只推送含有其中一个 + 词的文章；-词：不推送含有任何一个 - 词的文章；不带符号的词算作 +；#标签 只匹配摘要的标签（+#标签、-#标签）。\n例如：/filter 3 +AI +芯片 -广告\n/filter &lt;编号|all&gt; clear 清除过滤；/filter &lt;编号|all&gt; 查看过滤。\n每个过滤最多 20 个词，每个词最多 30 个字；繁体、全角和大小写都不影响匹配。',
    modeNames: { chat: '跟随对话', instant: '即时推送', daily: '每日摘要', both: '即时 + 每日', muted: '静音' },
    modeFollows: (chatMode) => `跟随对话（${chatMode}）`,
    panel: (n, title, url) => `⚙️ 订阅 ${n}：<b>${title}</b>\n${url}`,
    panelMode: (mode) => `推送方式：${mode}`,
    panelTitle: (title) => `显示标题：${title}`,
    panelPreview: (on) => `链接预览：${on ? '开（显示文章大图）' : '关'}`,
    panelTopic: (threadId) => `话题：#${threadId}`,
    panelFilter: (filter) => `过滤：${filter}`,
    panelAllFilter: (filter) => `全部订阅的过滤：${filter}`,
    panelNoFilter: '过滤：无',
    panelHelp: (n) => `改标题：/set ${n} title 新标题\n设过滤：/filter ${n} +词 -词`,
    pick: '⚙️ 点编号设置单个订阅（推送方式、标题、链接预览、过滤）：',
    back: '« 返回',
    previewButton: (on) => (on ? '关闭链接预览' : '打开链接预览'),
    clearTitle: '恢复原标题',
    clearFilter: '清除过滤',
    toGeneral: '改发到 General',
    listOptions: (parts) => `⚙️ ${parts}`,
    listFilter: (filter, dropped) => `🔍 过滤：${filter}${dropped ? `（7 天内滤掉 ${dropped} 篇）` : ''}`,
    listAllFilter: (filter, dropped) => `🔍 全部订阅的过滤：${filter}${dropped ? `（7 天内滤掉 ${dropped} 篇）` : ''}`,
    listOwnTitle: (feedTitle) => `原标题：${feedTitle}`,
    listTopicFirst: '（这个话题的订阅排在前面）',
    setDone: (title) => `✅ 已更新 <b>${title}</b> 的设置。`,
    setBadMode: (value) => `没有“${value}”这种推送方式。可选：chat（跟随对话）、instant、daily、both、muted（静音）。`,
    setTitleLong: (max) => `标题最多 ${max} 个字。`,
    setNoTopic: '这个命令要在论坛群组的话题里发送：topic here 把订阅移到发送命令的话题。',
    unknownFeed: (what) => `没有找到订阅：${what}。发送 /list 查看编号。`,
    filterAll: '全部订阅',
    filterSet: (scope, filter) => `✅ ${scope} 的过滤已设为：${filter}`,
    filterCleared: (scope) => `✅ 已清除 ${scope} 的过滤。`,
    filterNone: (scope) => `${scope} 没有设置过滤。`,
    filterShow: (scope, filter) => `🔍 ${scope} 的过滤：${filter}`,
    filterExplain: '被过滤的文章不会推送，也不会进入每日摘要。',
    problemShort: (term) => `“${term}”太短：英文和数字至少 2 个字符`,
    problemLong: (term, max) => `“${term}”太长：每个词最多 ${max} 个字`,
    problemTag: (term) => `“${term}”不是有效的标签`,
    problemMany: (max) => `一个过滤最多 ${max} 个词，多出的没有保存`,
    tagsNone: '最近 7 天还没有带标签的文章。',
    tagsHeader: (days) => `🏷 最近 ${days} 天文章的标签（篇数）：`,
    tagsHint: '点 ➕ 只看这个标签的文章，点 ➖ 不看这个标签的文章（加入全部订阅的过滤，/filter all 查看或清除）。',
    tagAdded: (term) => `已加入全部订阅的过滤：${term}`,
    tagAlready: (term) => `过滤里已经有 ${term}`,
    tagLimit: (max) => `过滤最多 ${max} 个词，请先用 /filter all 删掉一些`,
    remoteNotFound: (ref) => `找不到 ${ref}：请检查频道的 @用户名（或数字 ID），并确认机器人已经加入这个频道。`,
    remoteNotAdmin: (title) => `只有 ${title} 的管理员可以管理它的订阅和设置。`,
    remoteBotCannotPost: (title) => `机器人还不能在 ${title} 发消息：请在频道设置里把机器人设为管理员，并允许它“发布消息”，然后再试一次。`,
    remotePrivateOnly: '在频道名前加命令（如 /sub @频道 网址）只能在和机器人的私聊里使用。',
    remoteHeader: (title) => `📢 ${title}：`,
    channelsNone: '还没有你管理的频道。把机器人加为频道管理员（允许发布消息），然后在这里发送 /sub @频道 网址 即可为频道订阅，频道里只会出现摘要。',
    channelsHeader: '📢 你管理、机器人可以发消息的频道：',
    channelLine: (title, ref, feeds) => `• <b>${title}</b>（${ref}）：${feeds} 个订阅\n  /list ${ref} · /sub ${ref} 网址 · /settings ${ref}`,
  },
  en: {
    usageSet:
      'Usage:\n/set &lt;number or URL&gt; mode chat|instant|daily|both|muted (chat: as the chat’s /mode)\n/set &lt;number&gt; title New title (title - restores the feed’s own)\n/set &lt;number&gt; preview on|off (the article’s link preview with its large image)\n/set &lt;number&gt; topic here|general (in a forum group: this topic, or General)\n/set &lt;number&gt; alone shows the feed’s option buttons.',
    usageFilter:
      'Usage: /filter &lt;number|URL|all&gt; terms…\n+word: only articles with one of the + words; -word: no articles with any - word; a word without a sign counts as +; #tag matches the digest’s tags only (+#tag, -#tag).\nExample: /filter 3 +AI +chip -sponsored\n/filter &lt;number|all&gt; clear removes it; /filter &lt;number|all&gt; shows it.\nUp to 20 terms per filter, 30 characters per term; Traditional/Simplified Chinese, full-width and case do not matter.',
    modeNames: { chat: 'as the chat', instant: 'instant', daily: 'daily digest', both: 'instant + daily', muted: 'muted' },
    modeFollows: (chatMode) => `as the chat (${chatMode})`,
    panel: (n, title, url) => `⚙️ Feed ${n}: <b>${title}</b>\n${url}`,
    panelMode: (mode) => `Delivery: ${mode}`,
    panelTitle: (title) => `Shown as: ${title}`,
    panelPreview: (on) => `Link preview: ${on ? 'on (large image)' : 'off'}`,
    panelTopic: (threadId) => `Topic: #${threadId}`,
    panelFilter: (filter) => `Filter: ${filter}`,
    panelAllFilter: (filter) => `Filter on all feeds: ${filter}`,
    panelNoFilter: 'Filter: none',
    panelHelp: (n) => `Rename: /set ${n} title New title\nFilter: /filter ${n} +word -word`,
    pick: '⚙️ Press a number to set one feed’s options (delivery, title, link preview, filter):',
    back: '« Back',
    previewButton: (on) => (on ? 'Link preview off' : 'Link preview on'),
    clearTitle: 'Restore the title',
    clearFilter: 'Remove the filter',
    toGeneral: 'Send to General',
    listOptions: (parts) => `⚙️ ${parts}`,
    listFilter: (filter, dropped) => `🔍 Filter: ${filter}${dropped ? ` (${dropped === 1 ? '1 article' : `${dropped} articles`} kept out in 7 days)` : ''}`,
    listAllFilter: (filter, dropped) => `🔍 Filter on all feeds: ${filter}${dropped ? ` (${dropped === 1 ? '1 article' : `${dropped} articles`} kept out in 7 days)` : ''}`,
    listOwnTitle: (feedTitle) => `feed’s title: ${feedTitle}`,
    listTopicFirst: '(this topic’s feeds first)',
    setDone: (title) => `✅ Options of <b>${title}</b> updated.`,
    setBadMode: (value) => `There is no delivery “${value}”. Choose chat (as the chat), instant, daily, both or muted.`,
    setTitleLong: (max) => `A title has at most ${max} characters.`,
    setNoTopic: 'Send this inside a topic of a forum group: topic here moves the feed to the topic you send it in.',
    unknownFeed: (what) => `No such feed: ${what}. Send /list to see the numbers.`,
    filterAll: 'all feeds',
    filterSet: (scope, filter) => `✅ Filter of ${scope} set to: ${filter}`,
    filterCleared: (scope) => `✅ Filter of ${scope} removed.`,
    filterNone: (scope) => `No filter on ${scope}.`,
    filterShow: (scope, filter) => `🔍 Filter of ${scope}: ${filter}`,
    filterExplain: 'Articles a filter keeps out are neither pushed nor put in the daily digest.',
    problemShort: (term) => `“${term}” is too short: at least 2 letters or digits`,
    problemLong: (term, max) => `“${term}” is too long: at most ${max} characters per term`,
    problemTag: (term) => `“${term}” is not a usable tag`,
    problemMany: (max) => `a filter has at most ${max} terms; the rest were not saved`,
    tagsNone: 'No tagged articles in the last 7 days yet.',
    tagsHeader: (days) => `🏷 Tags of the last ${days} days’ articles (how many):`,
    tagsHint: 'Press ➕ to see only articles with a tag, ➖ to see none with it (added to the filter on all feeds; /filter all shows or removes it).',
    tagAdded: (term) => `Added to the filter on all feeds: ${term}`,
    tagAlready: (term) => `The filter already has ${term}`,
    tagLimit: (max) => `A filter has at most ${max} terms; remove some with /filter all first`,
    remoteNotFound: (ref) => `Cannot find ${ref}: check the channel’s @username (or numeric id), and that the bot was added to it.`,
    remoteNotAdmin: (title) => `Only administrators of ${title} can change its feeds and settings.`,
    remoteBotCannotPost: (title) => `The bot cannot post in ${title} yet: make it an administrator of the channel with the right to post messages, then try again.`,
    remotePrivateOnly: 'Naming a channel before a command’s arguments (/sub @channel URL) works in a private chat with the bot.',
    remoteHeader: (title) => `📢 ${title}:`,
    channelsNone: 'No channel you manage yet. Make the bot an administrator of your channel (allowed to post), then send /sub @channel URL here: only digests appear in the channel.',
    channelsHeader: '📢 Channels you manage where the bot posts:',
    channelLine: (title, ref, feeds) => `• <b>${title}</b> (${ref}): ${feeds === 1 ? '1 feed' : `${feeds} feeds`}\n  /list ${ref} · /sub ${ref} URL · /settings ${ref}`,
  },
};

/** An answer about a channel managed from a private chat, the channel named first (its title as Telegram gives it). */
export const aboutChat = (lang: Lang, title: string, html: string) => `${FEED_OPTION_TEXTS[lang].remoteHeader(escapeHtml(title))}\n${html}`;
