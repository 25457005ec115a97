/**
 * A small, strict XML scanner for Tomcat config files: finds every element with
 * its attributes and their positions, and reports the first well-formedness error
 * with `line:col`. No DTD processing (Tomcat's digester does none either); the
 * five predefined entities and character references are decoded.
 *
 * Template markers (`{{ }}`, `{% %}`, `<% %>`) are masked before scanning, with
 * their positions kept, so a templated context.xml can still be read: attributes
 * holding them are reported as unchecked by the linter, never as errors.
 */

export interface Position {
  readonly line: number;
  readonly col: number;
}

export interface XmlAttribute extends Position {
  readonly name: string;
  /** The value with entities decoded (template markers restored). */
  readonly value: string;
  /** True when the value holds template syntax ({{ }}, {% %}, <% %>). */
  readonly templated: boolean;
}

export interface XmlElement extends Position {
  readonly name: string;
  readonly attributes: readonly XmlAttribute[];
  /** Names of the enclosing elements, outermost first. */
  readonly ancestors: readonly string[];
}

export interface XmlScan {
  readonly elements: readonly XmlElement[];
  /** The first well-formedness error, if any; elements holds what was read before it. */
  readonly error?: Position & { readonly message: string };
}

const NAME_START = /[A-Za-z_:\u00C0-\uFFFF]/;
const NAME_CHAR = /[A-Za-z0-9_:.\-\u00B7\u00C0-\uFFFF]/;
const TEMPLATE_RE = /\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}|<%[\s\S]*?%>/g;

class XmlSyntax extends Error {
  constructor(
    readonly at: number,
    message: string,
  ) {
    super(message);
  }
}

/** Replaces template markers by same-length filler (newlines kept); returns the masked text and the spans. */
function maskTemplates(text: string): { masked: string; spans: Array<[number, number]> } {
  const spans: Array<[number, number]> = [];
  const masked = text.replace(TEMPLATE_RE, (m, offset: number) => {
    spans.push([offset, offset + m.length]);
    return m.replace(/[^\n]/g, 'T');
  });
  return { masked, spans };
}

function decode(raw: string, at: number): string {
  return raw.replace(/&([^;&\s]*);?/g, (m, body: string) => {
    if (!m.endsWith(';')) throw new XmlSyntax(at, `"&" must start an entity such as &amp; (write "&amp;" for a literal "&")`);
    switch (body) {
      case 'lt':
        return '<';
      case 'gt':
        return '>';
      case 'amp':
        return '&';
      case 'quot':
        return '"';
      case 'apos':
        return "'";
    }
    const num = /^#(x[0-9A-Fa-f]+|[0-9]+)$/.exec(body);
    if (num) return String.fromCodePoint(num[1].startsWith('x') ? parseInt(num[1].slice(1), 16) : parseInt(num[1], 10));
    throw new XmlSyntax(at, `unknown entity "&${body};"`);
  });
}

export function scanXml(text: string): XmlScan {
  const { masked: src, spans } = maskTemplates(text.replace(/^\uFEFF/, ''));
  const lineStarts = [0];
  for (let i = 0; i < src.length; i++) if (src[i] === '\n') lineStarts.push(i + 1);
  const pos = (offset: number): Position => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, col: offset - lineStarts[lo] + 1 };
  };
  const original = (from: number, to: number) => text.replace(/^\uFEFF/, '').slice(from, to);
  const templatedIn = (from: number, to: number) => spans.some(([a, b]) => a < to && b > from);

  const elements: XmlElement[] = [];
  const stack: Array<{ name: string; at: number }> = [];
  let rootSeen = false;
  let i = 0;

  const readName = (): string => {
    const start = i;
    if (!NAME_START.test(src[i] ?? '')) throw new XmlSyntax(i, `expected a name, found ${src[i] === undefined ? 'the end of the file' : JSON.stringify(src[i])}`);
    while (i < src.length && NAME_CHAR.test(src[i])) i++;
    return src.slice(start, i);
  };
  const skipSpace = () => {
    while (i < src.length && /\s/.test(src[i])) i++;
  };
  const expectEnd = (marker: string, what: string) => {
    const end = src.indexOf(marker, i);
    if (end < 0) throw new XmlSyntax(i, `${what} is never closed (missing "${marker}")`);
    return end;
  };

  try {
    while (i < src.length) {
      const lt = src.indexOf('<', i);
      const textEnd = lt < 0 ? src.length : lt;
      const textRun = src.slice(i, textEnd);
      if (stack.length === 0 && /\S/.test(textRun)) {
        const off = i + textRun.search(/\S/);
        throw new XmlSyntax(off, rootSeen ? 'text after the root element' : 'text before the first element');
      }
      if (stack.length > 0) decode(textRun, i);
      if (lt < 0) break;
      i = lt;
      if (src.startsWith('<!--', i)) {
        const end = expectEnd('-->', 'a comment');
        if (src.slice(i + 4, end).includes('--')) throw new XmlSyntax(i + 4 + src.slice(i + 4, end).indexOf('--'), '"--" inside a comment');
        i = end + 3;
      } else if (src.startsWith('<![CDATA[', i)) {
        if (stack.length === 0) throw new XmlSyntax(i, 'CDATA outside the root element');
        i = expectEnd(']]>', 'a CDATA section') + 3;
      } else if (src.startsWith('<?', i)) {
        const end = expectEnd('?>', 'a processing instruction');
        if (/^<\?xml\s/.test(src.slice(i, i + 6)) && i !== 0) throw new XmlSyntax(i, 'the XML declaration must be at the very start of the file');
        i = end + 2;
      } else if (src.startsWith('<!DOCTYPE', i)) {
        let depth = 0;
        let j = i;
        for (; j < src.length; j++) {
          if (src[j] === '[') depth++;
          else if (src[j] === ']') depth--;
          else if (src[j] === '>' && depth <= 0) break;
        }
        if (j >= src.length) throw new XmlSyntax(i, 'a DOCTYPE is never closed');
        i = j + 1;
      } else if (src[i + 1] === '/') {
        const at = i;
        i += 2;
        const name = readName();
        skipSpace();
        if (src[i] !== '>') throw new XmlSyntax(i, `expected ">" to close </${name}`);
        i++;
        const open = stack.pop();
        if (!open) throw new XmlSyntax(at, `</${name}> closes nothing`);
        if (open.name !== name) throw new XmlSyntax(at, `</${name}> closes <${open.name}> (opened at ${pos(open.at).line}:${pos(open.at).col})`);
      } else {
        const at = i;
        if (stack.length === 0 && rootSeen) throw new XmlSyntax(at, 'a second root element (a file holds one root)');
        if (stack.length === 0) rootSeen = true;
        i++;
        const name = readName();
        const attributes: XmlAttribute[] = [];
        const seen = new Set<string>();
        for (;;) {
          const before = i;
          skipSpace();
          if (src[i] === '>' || src.startsWith('/>', i)) break;
          if (i >= src.length) throw new XmlSyntax(at, `<${name} is never closed (missing ">")`);
          if (i === before) throw new XmlSyntax(i, `attributes must be separated by whitespace (found ${JSON.stringify(src[i])} right after the previous one)`);
          const aAt = i;
          const aName = readName();
          skipSpace();
          if (src[i] !== '=') throw new XmlSyntax(i, `attribute "${aName}" has no "=value"`);
          i++;
          skipSpace();
          const q = src[i];
          if (q !== '"' && q !== "'") throw new XmlSyntax(i, `the value of "${aName}" must be quoted`);
          const end = src.indexOf(q, i + 1);
          if (end < 0) throw new XmlSyntax(i, `the value of "${aName}" is never closed (missing ${q})`);
          const rawMasked = src.slice(i + 1, end);
          const lt2 = rawMasked.indexOf('<');
          if (lt2 >= 0) throw new XmlSyntax(i + 1 + lt2, `"<" inside the value of "${aName}" (write &lt;)`);
          if (seen.has(aName)) throw new XmlSyntax(aAt, `attribute "${aName}" is given twice`);
          seen.add(aName);
          const templated = templatedIn(i + 1, end);
          const raw = templated ? original(i + 1, end) : rawMasked;
          const value = templated ? raw : decode(raw, i + 1);
          attributes.push({ name: aName, value, templated, ...pos(aAt) });
          i = end + 1;
        }
        elements.push({ name, attributes, ancestors: stack.map((s) => s.name), ...pos(at) });
        if (src[i] === '/') i += 2;
        else {
          i++;
          stack.push({ name, at });
        }
      }
    }
    if (stack.length > 0) {
      const open = stack[stack.length - 1];
      throw new XmlSyntax(open.at, `<${open.name}> is never closed`);
    }
    if (!rootSeen) throw new XmlSyntax(src.length, 'no element in the file');
  } catch (e) {
    if (e instanceof XmlSyntax) return { elements, error: { ...pos(Math.min(e.at, Math.max(0, src.length - 1))), message: e.message } };
    throw e;
  }
  return { elements };
}
