// Article pages and feed items written for the tests: long enough to digest, in Chinese.
export const ARTICLE_TEXT = Array.from(
  { length: 12 },
  (_, i) => `第${i + 1}段：研究人员在周二公布了新的芯片设计，能效比上一代提高了百分之三十，预计明年量产。该团队表示，这项成果来自三年的持续投入。`,
).join('\n');

export function articlePage(title: string, text = ARTICLE_TEXT): string {
  const paragraphs = text
    .split('\n')
    .map((p) => `<p>${p}</p>`)
    .join('\n');
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>${title}</title></head>
<body><header><nav><a href="/">首页</a> <a href="/tech">科技</a></nav></header>
<article><h1>${title}</h1><p class="byline">记者 张三</p>${paragraphs}</article>
<footer><a href="/about">关于我们</a></footer></body></html>`;
}
