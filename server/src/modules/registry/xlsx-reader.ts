// A fast reader for the first sheet of an .xlsx file, for ledger imports: a 100,000-row ledger loads
// in well under a second here, where exceljs's full workbook load takes several.
//
// It reads only what an import needs (workbook.xml and its rels, sharedStrings.xml, styles.xml for
// date formats, and the first worksheet's cells) and gives each cell the text `cellText` gives the
// value exceljs reads for it: shared and inline strings, rich text, numbers (dates by number format,
// as exceljs decides them), booleans and errors. Anything it does not read exactly as exceljs does
// (formulas, merged cells, hyperlinks, ZIP64, encryption, unexpected XML) makes it answer null, and
// the caller falls back to exceljs: the result is always the one exceljs would give.
import { createRequire } from 'node:module';
import { inflateRawSync } from 'node:zlib';

const require = createRequire(import.meta.url);
// exceljs's own rules for "is this number a date" (utils.isDateFmt) and its built-in number formats,
// so that dates are recognised exactly as exceljs recognises them.
const excelUtils = require('exceljs/lib/utils/utils.js') as {
  isDateFmt(fmt: string | undefined): boolean;
  excelToDate(v: number, date1904: boolean): Date;
};
const defaultNumFormats = require('exceljs/lib/xlsx/defaultnumformats.js') as Record<number, { f?: string } | undefined>;

/** Cells of one sheet row: `cells[col]` (1-based column) is the cell's text, as `cellText` gives it. */
export interface FastRow {
  row: number;
  cells: (string | undefined)[];
}

/** Thrown inside the reader when the file needs exceljs; never escapes `readFirstSheetFast`. */
class Unsupported extends Error {}
const unsupported = (why: string): never => {
  throw new Unsupported(why);
};

// ---- ZIP ---------------------------------------------------------------------------------------

interface ZipEntry {
  method: number;
  flags: number;
  compressedSize: number;
  localOffset: number;
}

function zipEntries(buf: Buffer): Map<string, ZipEntry> {
  // End of central directory: 22 bytes plus a comment of up to 65,535 bytes, at the end.
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) unsupported('no zip directory');
  const count = buf.readUInt16LE(eocd + 10);
  const dirOffset = buf.readUInt32LE(eocd + 16);
  if (count === 0xffff || dirOffset === 0xffffffff) unsupported('zip64');
  const entries = new Map<string, ZipEntry>();
  let p = dirOffset;
  for (let n = 0; n < count; n++) {
    if (p + 46 > buf.length || buf.readUInt32LE(p) !== 0x02014b50) unsupported('bad zip directory');
    const flags = buf.readUInt16LE(p + 8);
    const method = buf.readUInt16LE(p + 10);
    const compressedSize = buf.readUInt32LE(p + 20);
    const nameLength = buf.readUInt16LE(p + 28);
    const extraLength = buf.readUInt16LE(p + 30);
    const commentLength = buf.readUInt16LE(p + 32);
    const localOffset = buf.readUInt32LE(p + 42);
    if (compressedSize === 0xffffffff || localOffset === 0xffffffff) unsupported('zip64');
    let name = buf.toString('utf8', p + 46, p + 46 + nameLength);
    if (name.startsWith('/')) name = name.slice(1); // as exceljs does
    entries.set(name, { method, flags, compressedSize, localOffset });
    p += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

function zipRead(buf: Buffer, entries: Map<string, ZipEntry>, name: string): string | null {
  const e = entries.get(name);
  if (!e) return null;
  if (e.flags & 1) unsupported('encrypted zip entry');
  const p = e.localOffset;
  if (p + 30 > buf.length || buf.readUInt32LE(p) !== 0x04034b50) unsupported('bad zip entry');
  const start = p + 30 + buf.readUInt16LE(p + 26) + buf.readUInt16LE(p + 28);
  const data = buf.subarray(start, start + e.compressedSize);
  if (data.length !== e.compressedSize) unsupported('truncated zip entry');
  let raw: Buffer;
  if (e.method === 0) raw = data;
  else if (e.method === 8) raw = inflateRawSync(data);
  else return unsupported('zip compression method');
  return raw.toString('utf8');
}

// ---- XML helpers -------------------------------------------------------------------------------

const ENTITY = /&(?:#(\d+)|#x([0-9a-fA-F]+)|([a-zA-Z]+));?/g;
const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Character data as an XML parser reports it: line ends normalised, references decoded. */
function xmlText(raw: string): string {
  let s = raw;
  if (s.includes('\r')) s = s.replace(/\r\n?/g, '\n');
  if (!s.includes('&')) return s;
  return s.replace(ENTITY, (m: string, dec?: string, hex?: string, name?: string) => {
    if (!m.endsWith(';')) return unsupported('bad entity');
    if (dec !== undefined || hex !== undefined) {
      const code = dec !== undefined ? Number(dec) : parseInt(hex!, 16);
      if (!(code > 0 && code <= 0x10ffff)) return unsupported('bad character reference');
      return String.fromCodePoint(code);
    }
    return NAMED[name!] ?? unsupported('unknown entity');
  });
}

/** Attribute values of a start tag `<name a="1" b='2'>` (the text between `<` and `>`). */
function attributes(tag: string): Map<string, string> {
  const out = new Map<string, string>();
  const re = /\s([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;
  for (let m = re.exec(tag); m; m = re.exec(tag)) out.set(m[1]!, xmlText((m[2] ?? m[3]!).replace(/[\t\n\r]/g, ' ')));
  return out;
}

/** exceljs's `_xHHHH_` escapes in string items (its TextXform). */
const unescapeX = (s: string) =>
  s.includes('_x') ? s.replace(/_x([0-9A-F]{4})_/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))) : s;

/** exceljs's utils.xmlDecode, which it applies (again) to `t="str"` values. */
const xmlDecodeAgain = (s: string) =>
  s.replace(/&([a-z]*);/g, (c) => ({ '&lt;': '<', '&gt;': '>', '&amp;': '&', '&apos;': "'", '&quot;': '"' })[c] ?? c);

/** Elements named `name` (start tags), each as [start-tag text, index after the tag, self-closing]. */
function* startTags(xml: string, name: string): Generator<[string, number, boolean]> {
  const open = `<${name}`;
  for (let i = xml.indexOf(open); i >= 0; i = xml.indexOf(open, i + 1)) {
    const next = xml.charCodeAt(i + open.length);
    if (next !== 32 && next !== 62 && next !== 47 && next !== 9 && next !== 10 && next !== 13) continue; // `<sheetData` vs `<sheet `
    const end = xml.indexOf('>', i);
    if (end < 0) unsupported('unterminated tag');
    yield [xml.slice(i, end + 1), end + 1, xml.charCodeAt(end - 1) === 47];
  }
}

// ---- workbook parts ----------------------------------------------------------------------------

/** The first worksheet's part name, as exceljs resolves it (`wb.worksheets[0]`). */
function firstSheetPath(workbook: string, rels: string): string {
  const sheets = workbook.indexOf('<sheets');
  if (sheets < 0) unsupported('no sheets');
  const first = startTags(workbook.slice(sheets), 'sheet').next();
  if (first.done) unsupported('no sheet');
  const rId = attributes(first.value[0]).get('r:id');
  if (!rId) return unsupported('sheet without r:id');
  for (const [tag] of startTags(rels, 'Relationship')) {
    const a = attributes(tag);
    if (a.get('Id') !== rId) continue;
    const path = `xl/${(a.get('Target') ?? '').replace(/^(\s|\/xl\/)+/, '')}`;
    if (!/^xl\/worksheets\/sheet\d+\.xml$/.test(path)) unsupported('unusual sheet part');
    return path;
  }
  return unsupported('sheet relationship not found');
}

/** For each cell style id: whether exceljs reads a number in that style as a date. */
function dateStyles(styles: string | null): boolean[] {
  if (!styles) return [];
  const custom = new Map<number, string>();
  for (const [tag] of startTags(styles, 'numFmt')) {
    const a = attributes(tag);
    custom.set(parseInt(a.get('numFmtId') ?? '', 10), (a.get('formatCode') ?? '').replace(/[\\](.)/g, '$1'));
  }
  const start = styles.indexOf('<cellXfs');
  if (start < 0) return [];
  const end = styles.indexOf('</cellXfs>', start);
  const xfs = styles.slice(start, end < 0 ? undefined : end);
  const out: boolean[] = [];
  for (const [tag] of startTags(xfs, 'xf')) {
    const id = parseInt(attributes(tag).get('numFmtId') ?? '', 10);
    const fmt = id ? (custom.get(id) ?? defaultNumFormats[id]?.f) : undefined;
    out.push(excelUtils.isDateFmt(fmt));
  }
  return out;
}

/** Shared strings as cell texts: plain items untrimmed here (`cellText` trims them), rich text joined. */
interface SharedString {
  text: string;
  rich: boolean;
  /** What `cellText` gives for a cell holding it. */
  cell: string;
}

function sharedStrings(sst: string | null): SharedString[] | null {
  if (sst === null) return null;
  const out: SharedString[] = [];
  let i = sst.indexOf('<si');
  while (i >= 0) {
    const tagEnd = sst.indexOf('>', i);
    if (tagEnd < 0) unsupported('unterminated si');
    const next = sst.charCodeAt(i + 3);
    if (next !== 62 && next !== 32 && next !== 47) unsupported('unexpected element in sst');
    if (sst.charCodeAt(tagEnd - 1) === 47) {
      out.push({ text: '', rich: false, cell: '' });
      i = sst.indexOf('<si', tagEnd);
      continue;
    }
    const close = sst.indexOf('</si>', tagEnd);
    if (close < 0) unsupported('unterminated si');
    out.push(sharedString(sst.slice(tagEnd + 1, close)));
    i = sst.indexOf('<si', close);
  }
  return out;
}

function sharedString(body: string): SharedString {
  // Phonetic runs (rPh) and run properties (rPr) carry no text that exceljs keeps.
  let s = body;
  if (s.includes('<rPh')) s = s.replace(/<rPh[\s>][\s\S]*?<\/rPh>/g, '');
  if (s.includes('<rPr')) s = s.replace(/<rPr[\s>][\s\S]*?<\/rPr>|<rPr\/>/g, '');
  s = s.replace(/<phoneticPr\b[^>]*\/>/g, '');
  const plain = /^\s*<t(?:\s[^>]*)?(?:\/>|>([^<]*)<\/t>)\s*$/.exec(s);
  if (plain) {
    const text = unescapeX(xmlText(plain[1] ?? ''));
    return { text, rich: false, cell: text.trim() };
  }
  if (!/^\s*(?:<r>[\s\S]*?<\/r>\s*)+$/.test(s)) return unsupported('unusual shared string');
  let text = '';
  for (const run of s.matchAll(/<r>([\s\S]*?)<\/r>/g)) {
    const t = /^\s*(?:<t(?:\s[^>]*)?(?:\/>|>([^<]*)<\/t>)\s*)?$/.exec(run[1]!);
    if (!t) unsupported('unusual rich text run');
    text += t![1] === undefined ? '' : unescapeX(xmlText(t![1]));
  }
  return { text, rich: true, cell: text };
}

// ---- the sheet ---------------------------------------------------------------------------------

/** `cellText` of what exceljs makes of a cell (type `t`, style `s`, raw text `v`). */
function cellText(t: string | undefined, s: number, v: string, sst: SharedString[] | null, dates: boolean[], date1904: boolean): string {
  switch (t) {
    case 's': {
      const item = sst?.[parseInt(v, 10)];
      if (!item) return unsupported('missing shared string');
      return item.cell;
    }
    case 'str':
      return xmlDecodeAgain(v).trim();
    case 'inlineStr':
      return v.trim();
    case 'b':
      return String(parseInt(v, 10) !== 0);
    case 'e':
      return '';
    default: {
      const n = parseFloat(v);
      if (s && dates[s]) return excelUtils.excelToDate(n, date1904).toISOString().slice(0, 10);
      return String(n);
    }
  }
}

const enum Ch {
  Tab = 9,
  Lf = 10,
  Cr = 13,
  Space = 32,
  Quote = 34,
  Amp = 38,
  Apos = 39,
  Slash = 47,
  Zero = 48,
  Nine = 57,
  Lt = 60,
  Eq = 61,
  Gt = 62,
  A = 65,
  Z = 90,
}

const isSpace = (c: number) => c === Ch.Space || c === Ch.Tab || c === Ch.Lf || c === Ch.Cr;

/**
 * The attributes `r`, `s` and `t` of the start tag at `at` (`<c …>` or `<row …>`, `at` just after
 * the name); any other attribute is skipped. Ends at the index after `>`, with `selfClosing` set.
 */
class TagScan {
  end = 0;
  selfClosing = false;
  r = -1;
  rEnd = -1;
  s = 0;
  t: string | undefined = undefined;

  scan(xml: string, at: number): void {
    this.r = -1;
    this.rEnd = -1;
    this.s = 0;
    this.t = undefined;
    let p = at;
    for (;;) {
      let c = xml.charCodeAt(p);
      while (isSpace(c)) c = xml.charCodeAt(++p);
      if (c === Ch.Gt) {
        this.end = p + 1;
        this.selfClosing = false;
        return;
      }
      if (c === Ch.Slash && xml.charCodeAt(p + 1) === Ch.Gt) {
        this.end = p + 2;
        this.selfClosing = true;
        return;
      }
      const nameStart = p;
      while (c !== Ch.Eq && !isSpace(c) && c === c /* not NaN */) c = xml.charCodeAt(++p);
      const nameEnd = p;
      while (isSpace(c)) c = xml.charCodeAt(++p);
      if (c !== Ch.Eq || nameEnd === nameStart) unsupported('bad attribute');
      c = xml.charCodeAt(++p);
      while (isSpace(c)) c = xml.charCodeAt(++p);
      if (c !== Ch.Quote && c !== Ch.Apos) unsupported('bad attribute value');
      const close = xml.indexOf(c === Ch.Quote ? '"' : "'", p + 1);
      if (close < 0) unsupported('unterminated attribute');
      const vStart = p + 1;
      p = close + 1;
      if (nameEnd - nameStart !== 1) continue;
      const name = xml.charCodeAt(nameStart);
      if (name !== 114 /* r */ && name !== 115 /* s */ && name !== 116 /* t */) continue;
      for (let k = vStart; k < close; k++) {
        const v = xml.charCodeAt(k);
        if (v === Ch.Amp || v === Ch.Lt || isSpace(v)) unsupported('unusual r, s or t attribute');
      }
      if (name === 114) {
        this.r = vStart;
        this.rEnd = close;
      } else if (name === 115) {
        let n = 0;
        if (close === vStart) unsupported('empty style');
        for (let k = vStart; k < close; k++) {
          const d = xml.charCodeAt(k);
          if (d < Ch.Zero || d > Ch.Nine) unsupported('unusual style id');
          n = n * 10 + (d - Ch.Zero);
        }
        this.s = n;
      } else {
        this.t = xml.slice(vStart, close);
      }
    }
  }
}

/** Reads digits at [from, to) as a number; -1 if there are none or anything else. */
function digits(xml: string, from: number, to: number): number {
  if (from >= to) return -1;
  let n = 0;
  for (let k = from; k < to; k++) {
    const d = xml.charCodeAt(k);
    if (d < Ch.Zero || d > Ch.Nine) return -1;
    n = n * 10 + (d - Ch.Zero);
  }
  return n;
}

function sheetRows(xml: string, sst: SharedString[] | null, dates: boolean[], date1904: boolean): FastRow[] {
  const rows: FastRow[] = [];
  const dataStart = xml.indexOf('<sheetData');
  if (dataStart < 0) return rows;
  const tail = (from: number) => {
    if (/<(?:\w+:)?(?:mergeCell|hyperlink)[\s>/]/.test(xml.slice(from))) unsupported('merged cells or hyperlinks');
  };
  let i = xml.indexOf('>', dataStart) + 1;
  if (i === 0) unsupported('unterminated sheetData');
  if (xml.charCodeAt(i - 2) === Ch.Slash) {
    tail(i);
    return rows;
  }
  const tag = new TagScan();
  let row: FastRow | null = null;
  let last = 0;
  cells: for (;;) {
    const lt = xml.indexOf('<', i);
    if (lt < 0) unsupported('unterminated sheetData');
    const c1 = xml.charCodeAt(lt + 1);
    const c2 = xml.charCodeAt(lt + 2);
    if (row && c1 === 99 /* c */ && (isSpace(c2) || c2 === Ch.Gt || c2 === Ch.Slash)) {
      tag.scan(xml, lt + 2);
      i = tag.end;
      // The reference: column letters, then this row's number.
      let col = 0;
      let k = tag.r;
      if (k < 0) unsupported('cell without reference');
      for (; k < tag.rEnd; k++) {
        const c = xml.charCodeAt(k);
        if (c >= Ch.A && c <= Ch.Z) col = col * 26 + (c - 64);
        else break;
      }
      if (col === 0 || col > 16384 || digits(xml, k, tag.rEnd) !== row.row) unsupported('unusual cell reference');
      const { s, t } = tag;
      if (tag.selfClosing) {
        if (!s) unsupported('empty cell without style');
        row.cells[col] = '';
        continue;
      }
      // Content: <v>text</v>, or <is><t>text</t></is>, then </c>.
      let v: string | undefined;
      for (;;) {
        const at = xml.indexOf('<', i);
        if (at < 0) unsupported('unterminated cell');
        if (xml.startsWith('</c>', at)) {
          i = at + 4;
          break;
        }
        if (xml.startsWith('<v>', at)) {
          const end = xml.indexOf('<', at + 3);
          if (end < 0 || !xml.startsWith('</v>', end)) unsupported('markup in v');
          i = end + 4;
          if (t === 's' && v === undefined && sst) {
            // The common case, a shared string: its index, read in place.
            const item = sst[digits(xml, at + 3, end)];
            if (item && xml.startsWith('</c>', i)) {
              row.cells[col] = item.cell;
              i += 4;
              continue cells;
            }
          }
          if (end > at + 3) v = (v ?? '') + xmlText(xml.slice(at + 3, end));
        } else if (xml.startsWith('<is>', at)) {
          const end = xml.indexOf('</is>', at);
          if (end < 0) unsupported('unterminated is');
          const m = /^\s*<t(?:\s[^>]*)?(?:\/>|>([^<]*)<\/t>)\s*$/.exec(xml.slice(at + 4, end));
          if (!m) unsupported('unusual inline string');
          if (m![1]) v = (v ?? '') + xmlText(m![1]);
          i = end + 5;
        } else if (xml.startsWith('<v/>', at)) {
          i = at + 4;
        } else {
          unsupported('unexpected element in cell');
        }
      }
      if (v === undefined) {
        if (!s) unsupported('empty cell without style');
        row.cells[col] = '';
      } else {
        row.cells[col] = cellText(t, s, v, sst, dates, date1904);
      }
      continue;
    }
    if (xml.startsWith('</row>', lt)) {
      if (!row) unsupported('stray </row>');
      row = null;
      i = lt + 6;
      continue;
    }
    if (xml.startsWith('</sheetData>', lt)) {
      i = lt + 12;
      break;
    }
    if (!row && xml.startsWith('<row', lt) && (isSpace(xml.charCodeAt(lt + 4)) || xml.charCodeAt(lt + 4) === Ch.Gt)) {
      tag.scan(xml, lt + 4);
      i = tag.end;
      const n = tag.r < 0 ? -1 : digits(xml, tag.r, tag.rEnd);
      if (!(n > last)) unsupported('row numbers missing or out of order');
      last = n;
      const r: FastRow = { row: n, cells: [] };
      rows.push(r);
      if (!tag.selfClosing) row = r;
      continue;
    }
    unsupported('unexpected element in sheetData');
  }
  tail(i);
  return rows;
}

/**
 * The first worksheet's rows (in order, each with its number) and their cell texts, or null when
 * the file needs exceljs (see the top of this file).
 */
export function readFirstSheetFast(buf: Buffer): FastRow[] | null {
  try {
    const entries = zipEntries(buf);
    const workbook = zipRead(buf, entries, 'xl/workbook.xml');
    const rels = zipRead(buf, entries, 'xl/_rels/workbook.xml.rels');
    if (workbook === null || rels === null) return null;
    const path = firstSheetPath(workbook, rels);
    const sheet = zipRead(buf, entries, path);
    if (sheet === null) return null;
    const pr = startTags(workbook, 'workbookPr').next();
    const date1904 = !pr.done && attributes(pr.value[0]).get('date1904') === '1';
    return sheetRows(
      sheet,
      sharedStrings(zipRead(buf, entries, 'xl/sharedStrings.xml')),
      dateStyles(zipRead(buf, entries, 'xl/styles.xml')),
      date1904,
    );
  } catch (e) {
    if (e instanceof Unsupported) return null;
    // A damaged file: exceljs reports it (or reads it) as it always did.
    return null;
  }
}
