// A fast path for `nameSearchKeys` (model.ts) that gives exactly what pinyin-pro gives for a whole
// name, from readings cached per character: importing a ledger computes keys for every row.
//
// Why this is exact. pinyin-pro (3.x) reads a name with `surname: 'head'` by matching only words
// (dictionary words, surnames, custom words) that start at the first character; every character
// after the matched word is read on its own, from its first dictionary reading, except 了 and 々,
// whose reading depends on the character before them. So when no word of two or more characters
// starts with the name's first two characters (no path c0 → c1 in pinyin-pro's word trie), the
// first character reads as it does alone (as a surname, with the same options), and each other
// character as it does alone (without surname mode). Other names (a word at the head, 了 or 々,
// characters outside the dictionary, letters, punctuation, very long names) take the full path.
import { pinyin } from 'pinyin-pro';
import { acTree, ensureAcBuilt } from 'pinyin-pro/dist/esm/common/segmentit/index.mjs';

interface CharKeys {
  full: string;
  first: string;
}

const HEAD = { type: 'all', toneType: 'none', mode: 'surname', surname: 'head', v: true } as const;
const ALONE = { type: 'all', toneType: 'none', v: true } as const;
/** Characters whose reading depends on their neighbours' letters. */
const CONTEXTUAL = new Set(['了', '々']);
const MAX_LENGTH = 8;

const headCache = new Map<string, CharKeys | null>();
const aloneCache = new Map<string, CharKeys | null>();

function read(c: string, options: typeof HEAD | typeof ALONE): CharKeys | null {
  const [item] = pinyin(c, options);
  if (!item || !item.isZh || !item.pinyin || item.origin !== c) return null;
  return { full: item.pinyin.toLowerCase(), first: item.first.toLowerCase() };
}

function cached(cache: Map<string, CharKeys | null>, c: string, options: typeof HEAD | typeof ALONE): CharKeys | null {
  let k = cache.get(c);
  if (k === undefined) {
    k = read(c, options);
    if (cache.size < 50_000) cache.set(c, k);
  }
  return k;
}

let built = false;

/**
 * The search keys of a name that is already NFKC-normalised and trimmed, or null when the name must
 * be read whole by pinyin-pro.
 */
export function fastNameKeys(text: string): { full: string; initials: string } | null {
  const n = text.length;
  if (n < 2 || n > MAX_LENGTH) return null;
  for (let i = 0; i < n; i++) {
    const code = text.charCodeAt(i);
    // CJK Unified Ideographs and Extension A only (one UTF-16 unit each).
    if (!((code >= 0x4e00 && code <= 0x9fff) || (code >= 0x3400 && code <= 0x4dbf))) return null;
  }
  if (!built) {
    ensureAcBuilt();
    built = true;
  }
  const c0 = text[0]!;
  if (acTree.root.children.get(c0)?.children.has(text[1]!)) return null;
  const head = cached(headCache, c0, HEAD);
  if (!head) return null;
  let full = head.full;
  let initials = head.first;
  for (let i = 1; i < n; i++) {
    const c = text[i]!;
    if (CONTEXTUAL.has(c)) return null;
    const k = cached(aloneCache, c, ALONE);
    if (!k) return null;
    full += k.full;
    initials += k.first;
  }
  return { full, initials };
}
