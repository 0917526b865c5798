// Feed XML → an element tree: a tokenizer in XML mode (linear, forgiving of bare `&` and stray tags), names by namespace, depth bounded.
import { decodeXML } from 'entities';
import { absoluteUrl } from '../core/canonicalUrl.js';
import { readMarkup } from '../core/markup.js';
import { escapeAttr, escapeHtml } from '../core/telegramHtml.js';

export interface XmlElement {
  /** The canonical name: the namespace's usual prefix + local name (`dc:creator` whatever prefix the feed bound). */
  name: string;
  attrs: Record<string, string>;
  children: XmlNode[];
  /** The element's xml:base, resolved against its ancestors' and the document's URL. */
  base: string;
}

/** A CDATA section: markup in it is text of the feed, not elements. */
export interface XmlCdata {
  cdata: string;
}

export type XmlNode = XmlElement | XmlCdata | string;

export class MalformedXmlError extends Error {}

const ATOM = 'http://www.w3.org/2005/Atom';
const ATOM03 = 'http://purl.org/atom/ns#';

/** Namespace → the prefix every reader below expects; '' for the vocabularies a feed's own elements come from, and XHTML's (inline content). */
const PREFIXES: Record<string, string> = {
  'http://purl.org/rss/1.0/': '',
  'http://my.netscape.com/rdf/simple/0.9/': '',
  'http://channel.netscape.com/rdf/simple/0.9/': '',
  'http://backend.userland.com/rss2': '',
  'http://blogs.law.harvard.edu/tech/rss': '',
  'http://www.w3.org/1999/02/22-rdf-syntax-ns#': 'rdf',
  'http://purl.org/dc/elements/1.1/': 'dc',
  'http://purl.org/dc/elements/1.0/': 'dc',
  'http://purl.org/dc/terms/': 'dcterms',
  'http://purl.org/rss/1.0/modules/content/': 'content',
  'http://search.yahoo.com/mrss/': 'media',
  'http://search.yahoo.com/mrss': 'media',
  'http://www.itunes.com/dtds/podcast-1.0.dtd': 'itunes',
  'http://rssnamespace.org/feedburner/ext/1.0': 'feedburner',
  'http://www.w3.org/1999/xhtml': '',
};

/** The same, by lower-cased URI: Apple's own documents spell the iTunes namespace `…/DTDs/Podcast-1.0.dtd`. */
const PREFIXES_ANY_CASE = new Map(Object.entries(PREFIXES).map(([uri, prefix]) => [uri.toLowerCase(), prefix]));

/** Vocabularies whose element names are read whatever their case (`ITUNES:AUTHOR`): their names have no case of their own to keep. */
const ANY_CASE_PREFIXES = new Set(['itunes']);

/** RSS's own element names, read whatever case a feed wrote them in (`<TITLE>`). */
const RSS_NAMES = new Set(['rss', 'channel', 'item', 'title', 'link', 'description', 'guid', 'author', 'category', 'enclosure', 'comments', 'source', 'language', 'copyright', 'ttl', 'image', 'url']);

/** RSS's mixed-case element names, read whatever case the feed wrote them in. */
const CAMEL = new Map(['pubDate', 'lastBuildDate', 'managingEditor', 'webMaster', 'textInput', 'skipHours', 'skipDays'].map((n) => [n.toLowerCase(), n]));

/**
 * HTML's empty elements as they appear unescaped in feeds' descriptions (`<br>`, `<img …>`): closed where they open, else every
 * later sibling would nest inside them. None of these names is a feed element (`link` and `source` are, so they are not here).
 */
const VOID = new Set(['br', 'img', 'hr', 'wbr', 'input', 'area', 'col', 'embed', 'param', 'track']);

/** Deeper elements are read as their parent's text: every walk over the tree stays shallow, whatever a hostile feed nests. */
const MAX_DEPTH = 200;

function splitName(name: string): [prefix: string | undefined, local: string] {
  const colon = name.indexOf(':');
  return colon < 0 ? [undefined, name] : [name.slice(0, colon), name.slice(colon + 1)];
}

/**
 * Parses a feed document. Namespaces are resolved: Atom elements are unprefixed in an Atom document and `atom:` elsewhere, RSS 1.0 and
 * 0.9 elements unprefixed, Dublin Core `dc:`/`dcterms:`, and so on; unknown namespaces keep the name as written. A document whose root
 * is never closed was cut short (a transfer broken off) and is refused rather than read in part.
 */
export function parseXmlTree(xml: string, documentUrl: string, isRoot: (name: string) => boolean = () => true): XmlElement {
  const top: XmlElement = { name: '#document', attrs: {}, children: [], base: documentUrl };
  /** The open elements, each with the name it was written with (what its end tag must match) and its namespace scope. */
  const stack: Array<{ el: XmlElement; written: string; scope: Map<string, string> }> = [{ el: top, written: '', scope: new Map() }];
  /** Open tags deeper than MAX_DEPTH, by name, not on the stack: the next end tags of those names are theirs. */
  const tooDeep = new Map<string, number>();
  let atomDocument = false;
  /** Top-level elements whose end was seen (or that were empty): the others were cut short. */
  const complete = new Set<XmlElement>();
  const entities = new Map<string, string>();
  /** Characters entity references may still add: a document's own entities cannot blow it up (one level, no recursion, capped). */
  let expansionBudget = Math.max(xml.length, 1 << 20);
  const expand = (text: string) =>
    entities.size === 0 || !text.includes('&')
      ? text
      : text.replace(/&([A-Za-z_][\w.-]{0,63});/g, (ref, name: string) => {
          const value = entities.get(name);
          if (value === undefined || value.length > expansionBudget) return ref;
          expansionBudget -= value.length;
          return value;
        });

  const canonical = (written: string, scope: Map<string, string>, isRoot: boolean): string => {
    const [prefix, local] = splitName(written);
    if (prefix === 'xml' || prefix === 'xmlns') return written;
    // A prefix written in another case than declared (`ITUNES:` for `xmlns:itunes`) is the declared one.
    const uri = scope.get(prefix ?? '') ?? (prefix ? scope.get(prefix.toLowerCase()) : undefined);
    if (uri === ATOM || uri === ATOM03) {
      if (isRoot) atomDocument = local === 'feed';
      return atomDocument ? local : `atom:${local}`;
    }
    const known = uri === undefined ? undefined : uri in PREFIXES ? PREFIXES[uri] : PREFIXES_ANY_CASE.get(uri.toLowerCase());
    if (known !== undefined) {
      if (!known) return local.charCodeAt(0) < 97 && RSS_NAMES.has(local.toLowerCase()) ? local.toLowerCase() : local; // only a capital needs a look
      return `${known}:${ANY_CASE_PREFIXES.has(known) ? local.toLowerCase() : local}`;
    }
    if (prefix === undefined) {
      if (RSS_NAMES.has(local)) return local; // the usual case: already as RSS writes it
      const lower = local.toLowerCase();
      return CAMEL.get(lower) ?? (RSS_NAMES.has(lower) ? lower : local);
    }
    return written;
  };

  readMarkup(xml, 'xml', {
    declaration(text) {
      // Entities the document declares itself (`<!DOCTYPE rss [<!ENTITY who "Jane">]>`), before its root only.
      const m = stack.length === 1 && /(?:^|<!)ENTITY\s+([A-Za-z_][\w.-]{0,63})\s+(?:"([^"]*)"|'([^']*)')/.exec(text);
      if (m) entities.set(m[1]!, decodeXML(m[2] ?? m[3] ?? ''));
    },
    open(written, attrs, selfClosing) {
      if (stack.length > MAX_DEPTH) {
        if (!selfClosing) tooDeep.set(written, (tooDeep.get(written) ?? 0) + 1);
        return;
      }
      const parent = stack[stack.length - 1]!;
      let scope = parent.scope;
      const declared = Object.keys(attrs).filter((a) => a === 'xmlns' || a.startsWith('xmlns:'));
      if (declared.length) {
        scope = new Map(scope);
        for (const a of declared) scope.set(a === 'xmlns' ? '' : a.slice(6), attrs[a]!.trim());
      }
      const name = canonical(written, scope, stack.length === 1);
      const base = attrs['xml:base'] ? (absoluteUrl(attrs['xml:base'], parent.el.base) ?? parent.el.base) : parent.el.base;
      const el: XmlElement = { name, attrs, children: [], base };
      parent.el.children.push(el);
      if (!selfClosing && !VOID.has(name.toLowerCase())) stack.push({ el, written, scope });
      else if (stack.length === 1) complete.add(el);
    },
    close(written) {
      const deep = tooDeep.get(written);
      if (deep) return void tooDeep.set(written, deep - 1);
      // The nearest open element of that name, and whatever was left open inside it; a stray end tag closes nothing.
      for (let i = stack.length - 1; i > 0; i--) {
        if (stack[i]!.written !== written) continue;
        if (i === 1) complete.add(stack[1]!.el);
        stack.length = i;
        return;
      }
    },
    text(text, cdata) {
      const node = stack[stack.length - 1]!.el;
      if (node === top) return;
      const last = node.children[node.children.length - 1];
      if (cdata) node.children.push({ cdata: text });
      else if (typeof last === 'string') node.children[node.children.length - 1] = last + expand(text);
      else node.children.push(expand(text));
    },
  });
  // The root is the first top-level element `isRoot` takes: junk before it (a PHP warning's `<br /><b>Warning</b>`) is passed over.
  const elements = top.children.filter((c): c is XmlElement => typeof c === 'object' && 'name' in c);
  const root = elements.find((e) => isRoot(e.name)) ?? elements[0];
  if (!root) throw new MalformedXmlError('no root element');
  if (!complete.has(root) && !rootEndCut(xml, stack, root)) throw new MalformedXmlError(`the document ends before </${root.name}>: cut short`);
  return root;
}

/**
 * Only the root's own end tag was cut at the very end (`…</channel></rss`, then nothing): every element inside it was closed, so
 * the document is whole but for that byte. One still open inside the root means it was really cut short.
 */
function rootEndCut(xml: string, stack: Array<{ el: XmlElement; written: string }>, root: XmlElement): boolean {
  if (stack.length !== 2 || stack[1]!.el !== root) return false;
  return xml.trimEnd().endsWith(`</${stack[1]!.written}`);
}

/** The element children of an element. */
export function elementsOf(el: XmlElement): XmlElement[] {
  return el.children.filter((c): c is XmlElement => typeof c === 'object' && 'name' in c);
}

/** All the text of an element and its descendants, CDATA included, in document order. */
export function textOf(el: XmlElement): string {
  let out = '';
  for (const c of el.children) out += typeof c === 'string' ? c : 'cdata' in c ? c.cdata : textOf(c);
  return out;
}


/** An element's content as HTML markup, in document order: text escaped, CDATA as written (it holds markup), XHTML by local name. */
export function innerMarkup(el: XmlElement): string {
  let out = '';
  for (const c of el.children) {
    if (typeof c === 'string') out += escapeHtml(c);
    else if ('cdata' in c) out += c.cdata;
    else {
      const attrs = Object.entries(c.attrs)
        .filter(([k]) => k !== 'xmlns' && !k.startsWith('xmlns:'))
        .map(([k, v]) => ` ${k}="${escapeAttr(v)}"`)
        .join('');
      out += c.children.length ? `<${c.name}${attrs}>${innerMarkup(c)}</${c.name}>` : `<${c.name}${attrs}/>`;
    }
  }
  return out;
}
