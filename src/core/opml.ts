// OPML in and out: the subscriptions of a chat as an OPML 2.0 file, and the feed URLs found in one.
import { readMarkup } from './markup.js';
import type { FeedMode } from './model.js';

/** A feed's own options, kept in an outline as attributes of our namespace (INTERFACE.md). */
export interface OpmlOptions {
  mode?: FeedMode;
  /** The reader's own title for the feed. */
  title?: string;
  preview?: boolean;
  /** The feed's filter as the reader writes it (`+AI -广告`). */
  filter?: string;
}

export interface OpmlFeed {
  url: string;
  title?: string | undefined;
  siteUrl?: string | undefined;
  options?: OpmlOptions | undefined;
}

export const OPML_NAMESPACE = 'https://feed-digest-bot.dev/opml';
const MODES: readonly FeedMode[] = ['chat', 'instant', 'daily', 'both', 'muted'];

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function renderOpml(title: string, feeds: OpmlFeed[], now: number): string {
  const outlines = feeds
    .map((f) => {
      const t = xml(f.title || f.url);
      return `    <outline type="rss" text="${t}" title="${t}" xmlUrl="${xml(f.url)}"${f.siteUrl ? ` htmlUrl="${xml(f.siteUrl)}"` : ''}${optionAttributes(f.options)}/>`;
    })
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0" xmlns:fdb="${OPML_NAMESPACE}">
  <head>
    <title>${xml(title)}</title>
    <dateCreated>${new Date(now).toUTCString()}</dateCreated>
  </head>
  <body>
${outlines}
  </body>
</opml>
`;
}

/** Options that differ from the defaults, as `fdb:` attributes. */
function optionAttributes(o: OpmlOptions | undefined): string {
  if (!o) return '';
  const attrs: string[] = [];
  if (o.mode && o.mode !== 'chat') attrs.push(`fdb:mode="${o.mode}"`);
  if (o.title) attrs.push(`fdb:title="${xml(o.title)}"`);
  if (o.preview) attrs.push('fdb:preview="on"');
  if (o.filter) attrs.push(`fdb:filter="${xml(o.filter)}"`);
  return attrs.length ? ' ' + attrs.join(' ') : '';
}

function optionsOf(attr: (key: string) => string | undefined): OpmlOptions | undefined {
  const o: OpmlOptions = {};
  const mode = attr('fdb:mode')?.toLowerCase() as FeedMode | undefined;
  if (mode && MODES.includes(mode)) o.mode = mode;
  const title = attr('fdb:title');
  if (title) o.title = title;
  if (attr('fdb:preview')?.toLowerCase() === 'on') o.preview = true;
  const filter = attr('fdb:filter');
  if (filter) o.filter = filter;
  return Object.keys(o).length ? o : undefined;
}

/** Every feed an OPML document lists (nested outlines included), in order, without duplicates. */
export function parseOpml(text: string): OpmlFeed[] {
  if (!/<opml[\s>]/i.test(text)) throw new Error('not an OPML file (no <opml> element)');
  const out: OpmlFeed[] = [];
  const seen = new Set<string>();
  // A tokenizer, not a regex over markup: linear whatever the file holds.
  readMarkup(text, 'html', {
    open(name, attrs) {
      if (name !== 'outline') return;
      const attr = (key: string) => attrs[key]?.trim() || undefined;
      const url = attr('xmlurl');
      if (!url || seen.has(url)) return;
      seen.add(url);
      const options = optionsOf(attr);
      out.push({ url, title: attr('title') ?? attr('text'), siteUrl: attr('htmlurl'), ...(options ? { options } : {}) });
    },
  });
  return out;
}
