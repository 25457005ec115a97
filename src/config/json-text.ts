/**
 * What JSON.parse hides in a config file's text: a key written twice in one
 * object (the last wins silently, so the file reads one way and means another)
 * and nesting deep enough to crash whatever walks the value. One iterative pass
 * over the text (no recursion, so depth cannot overflow the stack); it assumes
 * valid JSON and stops quietly on anything else, leaving syntax errors to
 * JSON.parse.
 */

/** No lab config nests deeper than this (the deepest real path is 4 levels). */
export const MAX_JSON_DEPTH = 16;

export interface JsonTextReport {
  /** Keys written twice in one object: the path of the object plus the key. */
  readonly duplicates: Array<(string | number)[]>;
  /** Path where nesting passed MAX_JSON_DEPTH (none when it did not). */
  readonly tooDeep?: (string | number)[];
}

interface Frame {
  readonly array: boolean;
  readonly keys: Set<string>;
  /** Key or index this container sits under in its parent. */
  readonly at: string | number | undefined;
  index: number;
  pendingKey: string | undefined;
}

export function scanJsonText(text: string): JsonTextReport {
  const duplicates: Array<(string | number)[]> = [];
  const stack: Frame[] = [];
  const pathOf = (extra?: string | number) => {
    const p = stack.slice(1).map((f) => f.at!) as (string | number)[];
    return extra === undefined ? p : [...p, extra];
  };
  let i = 0;
  const n = text.length;
  while (i < n) {
    const ch = text[i];
    if (ch === '"') {
      // a string: read it (JSON escapes decoded by JSON.parse of the literal)
      let j = i + 1;
      while (j < n && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (j >= n) break;
      const top = stack[stack.length - 1];
      // a key: the next non-space character is ':'
      let k = j + 1;
      while (k < n && /\s/.test(text[k])) k++;
      if (top && !top.array && text[k] === ':') {
        let key: string;
        try {
          key = JSON.parse(text.slice(i, j + 1)) as string;
        } catch {
          break;
        }
        if (top.keys.has(key)) duplicates.push(pathOf(key));
        top.keys.add(key);
        top.pendingKey = key;
        i = k + 1;
        continue;
      }
      i = j + 1;
      continue;
    }
    if (ch === '{' || ch === '[') {
      const top = stack[stack.length - 1];
      const at = top === undefined ? undefined : top.array ? top.index : top.pendingKey;
      stack.push({ array: ch === '[', keys: new Set(), at, index: 0, pendingKey: undefined });
      if (stack.length > MAX_JSON_DEPTH) return { duplicates, tooDeep: pathOf() };
    } else if (ch === '}' || ch === ']') {
      stack.pop();
    } else if (ch === ',') {
      const top = stack[stack.length - 1];
      if (top?.array) top.index++;
    }
    i++;
  }
  return { duplicates };
}
