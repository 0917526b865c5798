// HTML and XML as a stream of tags and text: htmlparser2's tokenizer, without its parser's element stack (which moves every open
// element on each tag, quadratic in the nesting depth a hostile page can reach). Callers keep the little state they need, bounded.
import { lazy } from '../lazy.js';

/** htmlparser2, loaded at the first markup read. */
const htmlparser2 = lazy<typeof import('htmlparser2')>('htmlparser2');

export interface MarkupHandler {
  /** A start tag; `selfClosing` for `<x/>`, which gets no `close`. Names (and attribute names) are lower-cased outside XML. */
  open?(name: string, attrs: Record<string, string>, selfClosing: boolean): void;
  /** An end tag, as written: whether anything is open to close is the caller's business. */
  close?(name: string): void;
  /** Text with entities decoded (XML's five and numeric ones in XML), adjacent runs merged; CDATA sections apart and raw. */
  text?(text: string, cdata: boolean): void;
  /** A `<!…>` declaration's inner text (`DOCTYPE …`, `ENTITY …`). */
  declaration?(text: string): void;
}

/** Reads `input` in one pass, linear in its length whatever it holds. */
export function readMarkup(input: string, mode: 'xml' | 'html', handler: MarkupHandler): void {
  const xml = mode === 'xml';
  const name = (start: number, end: number) => (xml ? input.slice(start, end) : input.slice(start, end).toLowerCase());
  let pending = '';
  let tag = '';
  let attrs: Record<string, string> = {};
  let attrName = '';
  let attrValue = '';
  const flush = () => {
    if (pending) handler.text?.(pending, false);
    pending = '';
  };
  const openTag = (selfClosing: boolean) => {
    handler.open?.(tag, attrs, selfClosing);
    attrs = {};
  };
  const tokenizer = new (htmlparser2().Tokenizer)(
    { xmlMode: xml, decodeEntities: true },
    {
      ontext: (start, end) => void (pending += input.slice(start, end)),
      ontextentity: (codepoint) => void (pending += String.fromCodePoint(codepoint)),
      oncdata(start, end, offset) {
        flush();
        handler.text?.(input.slice(start, end - offset), true);
      },
      onopentagname(start, end) {
        flush();
        tag = name(start, end);
      },
      onattribname: (start, end) => void (attrName = name(start, end)),
      onattribdata: (start, end) => void (attrValue += input.slice(start, end)),
      onattribentity: (codepoint) => void (attrValue += String.fromCodePoint(codepoint)),
      onattribend() {
        if (!Object.hasOwn(attrs, attrName)) attrs[attrName] = attrValue;
        attrValue = '';
      },
      onopentagend: () => openTag(false),
      onselfclosingtag: () => openTag(true),
      onclosetag(start, end) {
        flush();
        handler.close?.(name(start, end));
      },
      oncomment: flush,
      ondeclaration(start, end) {
        flush();
        handler.declaration?.(input.slice(start, end));
      },
      onprocessinginstruction: flush,
      onend: flush,
    },
  );
  tokenizer.write(input);
  tokenizer.end();
}

/** HTML elements that never hold others, and those a new sibling closes (`<p>`, `<li>` …): neither deepens a page. */
const FLAT = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'param', 'source', 'track', 'wbr', 'p', 'li', 'dt', 'dd', 'option', 'tr', 'td', 'th']);

/** How deep an HTML page's elements nest at most, counting open tags not yet closed (linear, for refusing pathological pages). */
export function nestingDepth(html: string): number {
  let depth = 0;
  let max = 0;
  readMarkup(html, 'html', {
    open(name, _attrs, selfClosing) {
      if (selfClosing || FLAT.has(name)) return;
      depth++;
      if (depth > max) max = depth;
    },
    close(name) {
      if (!FLAT.has(name) && depth > 0) depth--;
    },
  });
  return max;
}
