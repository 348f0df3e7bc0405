// The fast sheet reader must read every file as exceljs does (ledger.ts used exceljs alone before):
// the same rows with the same texts, or null so that exceljs reads it.
import { crc32 } from 'node:zlib';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { readSheet, RESIDENT_COLUMNS, type Column, type SheetRow } from './ledger.js';
import { readFirstSheetFast } from './xlsx-reader.js';

/** The reader ledger.ts had before the fast one: exceljs's full load, then `cellText`. */
async function readWithExcelJs(buf: Buffer, columns: Column[]): Promise<SheetRow[]> {
  const cellText = (v: ExcelJS.CellValue): string => {
    if (v === null || v === undefined) return '';
    if (v instanceof Date) return v.toISOString().slice(0, 10);
    if (typeof v === 'object') {
      if ('richText' in v) return v.richText.map((t) => t.text).join('');
      if ('text' in v) return String(v.text);
      if ('result' in v) return cellText(v.result as ExcelJS.CellValue);
      return '';
    }
    return String(v).trim();
  };
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buf as unknown as ArrayBuffer);
  const ws = wb.worksheets[0]!;
  const index = new Map<string, number>();
  ws.getRow(1).eachCell((cell, col) => {
    const c = columns.find((x) => x.header === cellText(cell.value).replace(/\*$/, '').trim());
    if (c) index.set(c.key, col);
  });
  const rows: SheetRow[] = [];
  ws.eachRow({ includeEmpty: false }, (r, n) => {
    if (n === 1) return;
    const values: Record<string, string> = {};
    let any = false;
    for (const [key, col] of index) {
      values[key] = cellText(r.getCell(col).value);
      if (values[key]) any = true;
    }
    if (any) rows.push({ row: n, values });
  });
  return rows;
}

const COLUMNS: Column[] = [
  { key: 'a', header: '甲', required: true },
  { key: 'b', header: '乙' },
  { key: 'c', header: '丙' },
  { key: 'd', header: '丁' },
];

async function book(fill: (ws: ExcelJS.Worksheet, wb: ExcelJS.Workbook) => void): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('表');
  fill(ws, wb);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

async function expectSameAsExcelJs(buf: Buffer, columns: Column[], fast: 'fast' | 'fallback') {
  expect(readFirstSheetFast(buf) === null ? 'fallback' : 'fast').toBe(fast);
  expect(await readSheet(buf, columns)).toEqual(await readWithExcelJs(buf, columns));
}

/** A ZIP of stored (uncompressed) entries: enough for hand-written xlsx parts. */
function zip(files: Record<string, string>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, text] of Object.entries(files)) {
    const data = Buffer.from(text, 'utf8');
    const n = Buffer.from(name, 'utf8');
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(n.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(n.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, n, data);
    centrals.push(central, n);
    offset += local.length + n.length + data.length;
  }
  const dir = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(files).length, 8);
  end.writeUInt16LE(Object.keys(files).length, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, dir, end]);
}

const NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"';
const R_NS = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"';

function handWritten(sheetData: string, opts: { sst?: string; styles?: string; workbookPr?: string; tail?: string } = {}): Buffer {
  return zip({
    '[Content_Types].xml': `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`,
    'xl/workbook.xml': `<?xml version="1.0" encoding="UTF-8"?>\r\n<workbook ${NS} ${R_NS}>${opts.workbookPr ?? ''}<sheets><sheet name="表" sheetId="1" r:id="rId1"/></sheets></workbook>`,
    'xl/_rels/workbook.xml.rels': `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`,
    ...(opts.sst ? { 'xl/sharedStrings.xml': `<?xml version="1.0" encoding="UTF-8"?><sst ${NS}>${opts.sst}</sst>` } : {}),
    ...(opts.styles ? { 'xl/styles.xml': `<?xml version="1.0" encoding="UTF-8"?><styleSheet ${NS}>${opts.styles}</styleSheet>` } : {}),
    'xl/worksheets/sheet1.xml': `<?xml version="1.0" encoding="UTF-8"?>\r\n<worksheet ${NS} ${R_NS}>\r\n<sheetData>${sheetData}</sheetData>${opts.tail ?? ''}</worksheet>`,
  });
}

describe('readSheet reads a ledger exactly as exceljs does', () => {
  it('a template-style file: shared strings, numbers, blanks, headers with * and in any order', async () => {
    const buf = await book((ws) => {
      ws.addRow(['丙', '乙', '甲*', '无关列', '丁']);
      ws.addRow(['  有空格  ', 13812345678, '张三', 'x', '']);
      ws.addRow([null, null, null, 'only an unknown column']);
      ws.addRow(['a & b < c > "d"', 0.1 + 0.2, '李四', null, 'line\nbreak']);
      ws.addRow([]);
      ws.addRow(['', 1e21, '王五', null, -0]);
    });
    await expectSameAsExcelJs(buf, COLUMNS, 'fast');
  });

  it('rich text, booleans, errors, dates by number format, and styled empty cells', async () => {
    const buf = await book((ws) => {
      ws.addRow(['甲', '乙', '丙', '丁']);
      ws.addRow([
        { richText: [{ text: ' 富 ', font: { bold: true } }, { text: '文本 ' }] },
        true,
        { error: '#N/A' },
        new Date(Date.UTC(1990, 4, 17)),
      ]);
      ws.addRow(['x', false, 45000, 45000.75]);
      ws.getCell('C3').numFmt = 'yyyy-mm-dd';
      ws.getCell('D3').numFmt = '0.00';
      ws.getCell('B4').numFmt = '@';
      ws.getCell('A4').value = 'y';
      ws.getCell('C4').style = { font: { italic: true } };
    });
    await expectSameAsExcelJs(buf, COLUMNS, 'fast');
  });

  it('the 1904 date system', async () => {
    const buf = await book((ws, wb) => {
      wb.properties.date1904 = true;
      ws.addRow(['甲', '乙']);
      ws.addRow(['x', new Date(Date.UTC(2001, 0, 2))]);
    });
    await expectSameAsExcelJs(buf, COLUMNS, 'fast');
  });

  it('formulas, merged cells and hyperlinks are left to exceljs', async () => {
    const formula = await book((ws) => {
      ws.addRow(['甲', '乙']);
      ws.addRow(['x', { formula: '1+1', result: 2 }]);
    });
    await expectSameAsExcelJs(formula, COLUMNS, 'fallback');
    const merged = await book((ws) => {
      ws.addRow(['甲', '乙']);
      ws.addRow(['x', 'merged']);
      ws.addRow(['y']);
      ws.mergeCells('B2:B3');
    });
    await expectSameAsExcelJs(merged, COLUMNS, 'fallback');
    const link = await book((ws) => {
      ws.addRow(['甲', '乙']);
      ws.addRow(['x', { text: '链接', hyperlink: 'https://example.com' }]);
    });
    await expectSameAsExcelJs(link, COLUMNS, 'fallback');
  });

  it('hand-written parts: inline strings, str values, escapes, entities, phonetic runs, CRLF', async () => {
    const buf = handWritten(
      `<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>乙</t></is></c><c r="C1" t="s"><v>1</v></c><c r="D1" t="s"><v>2</v></c></row>
       <row r="2" spans="1:4"><c r="A2" t="s"><v>3</v></c><c r="B2" t="inlineStr"><is><t xml:space="preserve"> 内联 &amp; 字符串 </t></is></c><c r="C2" t="str"><v>&amp;lt;str&amp;gt; </v></c><c r="D2" t="b"><v>1</v></c></row>
       <row r="3"><c r="A3" t="s"><v>4</v></c><c r="B3" t="e"><v>#DIV/0!</v></c><c r="C3"><v>1.50</v></c><c r="D3" s="1"><v>36000</v></c></row>
       <row r="5"><c r="A5" t="s"><v>5</v></c><c r="C5" s="2"><v>2.5</v></c><c r="D5" t="n"><v>&#49;2</v></c></row>
       <row r="7"><c r="A7" s="1"/><c r="B7" t="s"><v>6</v></c></row>`,
      {
        sst:
          '<si><t>甲</t></si><si><t>丙</t></si><si><r><rPr><b/></rPr><t>丁</t></r></si>' +
          '<si><t>第一行_x000D_换行\r\n</t><rPh sb="0" eb="1"><t>ダイ</t></rPh><phoneticPr fontId="1"/></si>' +
          '<si><r><t xml:space="preserve"> 多段 </t></r><r><rPr><i/></rPr><t>富文本</t></r></si>' +
          '<si><t>&#x5F20;&#19977;&apos;s</t></si><si><t/></si>',
        styles:
          '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/></numFmts>' +
          '<cellStyleXfs count="1"><xf numFmtId="14"/></cellStyleXfs>' +
          '<cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="164" applyNumberFormat="1"/><xf numFmtId="2"/></cellXfs>',
      },
    );
    await expectSameAsExcelJs(buf, COLUMNS, 'fast');
  });

  it('a file that is not an xlsx, or has no sheet, is refused as before', async () => {
    await expect(readSheet(Buffer.from('not a zip at all'), COLUMNS)).rejects.toMatchObject({ status: 400 });
    expect(readFirstSheetFast(Buffer.from('PK\u0003\u0004 truncated'))).toBeNull();
    const missing = await book((ws) => {
      ws.addRow(['乙', '丙']);
      ws.addRow(['x', 'y']);
    });
    await expect(readSheet(missing, COLUMNS)).rejects.toMatchObject({ status: 400 });
  });

  it('a resident ledger of a few thousand generated rows', async () => {
    const buf = await book((ws) => {
      ws.addRow(RESIDENT_COLUMNS.map((c) => (c.required ? `${c.header}*` : c.header)));
      for (let i = 0; i < 3000; i++)
        ws.addRow(
          RESIDENT_COLUMNS.map((c, j) =>
            (i + j) % 7 === 0 ? null : c.key === 'phone' && i % 3 === 0 ? 13800000000 + i : `${c.header}${i % 50} ${j}`,
          ),
        );
    });
    await expectSameAsExcelJs(buf, RESIDENT_COLUMNS, 'fast');
  });
});
