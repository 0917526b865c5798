// Inputs built to make regexes over markup backtrack (quadratic or worse): each must cost its length, not its square.

/** About `bytes` of an RSS feed whose items' CDATA repeat an unclosed `<script ` and other half-open markup. */
export function hostileFeed(bytes: number): string {
  const poison = '<p <script <style <!-- <link <rss <?xml <article <think> ``` '.repeat(Math.ceil(10_000 / 60));
  const items: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const item = `<item><title>t${i} &lt;b</title><link>https://evil.example/${i}</link><guid>g${i}</guid><description><![CDATA[${poison}]]></description></item>\n`;
    items.push(item);
    size += item.length;
  }
  return `<?xml version="1.0"?><rss version="2.0" xml:base="https://evil.example/"><channel><title>hostile</title>\n${items.join('')}</channel></rss>`;
}

/** About `bytes` of an ordinary feed: paragraphs of HTML in each item. */
export function ordinaryFeed(bytes: number): string {
  const body = '<p>研究人员在周二公布了新的芯片设计，<a href="https://news.example/x">能效</a>提高了百分之三十。</p>'.repeat(80);
  const items: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const item = `<item><title>第${i}篇</title><link>https://news.example/${i}</link><guid>g${i}</guid><description><![CDATA[${body}]]></description></item>\n`;
    items.push(item);
    size += item.length;
  }
  return `<?xml version="1.0"?><rss version="2.0"><channel><title>ordinary</title>\n${items.join('')}</channel></rss>`;
}

/** `count` repetitions of an unclosed opening, the shape that makes `<x\b[^>]*>`-style patterns quadratic. */
export const unclosed = (opening: string, count: number) => opening.repeat(count);
