// OPML in and out: the subscriptions of a chat as an OPML 2.0 file, and the feed URLs found in one.
import { readMarkup } from './markup.js';

export interface OpmlFeed {
  url: string;
  title?: string | undefined;
  siteUrl?: string | undefined;
}

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function renderOpml(title: string, feeds: OpmlFeed[], now: number): string {
  const outlines = feeds
    .map((f) => {
      const t = xml(f.title || f.url);
      return `    <outline type="rss" text="${t}" title="${t}" xmlUrl="${xml(f.url)}"${f.siteUrl ? ` htmlUrl="${xml(f.siteUrl)}"` : ''}/>`;
    })
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
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
      out.push({ url, title: attr('title') ?? attr('text'), siteUrl: attr('htmlurl') });
    },
  });
  return out;
}
