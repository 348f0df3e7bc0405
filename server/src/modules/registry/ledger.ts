// Excel ledgers (台账) in and out (`002` #26 基础信息资源台账): downloadable templates, imports that
// check every row and commit all or nothing (or only the good rows, when asked), and exports of
// any filtered list, masked. Re-importing a file changes nothing: people are matched by ID number,
// rooms by standard address.
import ExcelJS from 'exceljs';
import { encrypt, type DataKeys } from '../../crypto/personal-data.js';
import type { Executor } from '../../db/pool.js';
import { uuidv7 } from '../../db/ids.js';
import { transaction } from '../../db/notified-worker.js';
import type { Ctx } from '../../http/context.js';
import { problems } from '../../http/errors.js';
import { appendAudit } from '../audit/service.js';
import { emit } from '../events/service.js';
import { placeOf } from '../regions/service.js';
import {
  ID_TYPE_LABELS,
  isIdType,
  maskIdNumber,
  maskPhone,
  nameGrams,
  nameSearchKeys,
  normaliseDocumentNumber,
  normalisePhone,
  RESIDENT_TAG_LABELS,
  type IdType,
  type ResidentTag,
} from './model.js';
import { checkResident, documentIndex, documentIndexes, phoneIndex } from './service.js';
import * as store from './store.js';
import { readFirstSheetFast } from './xlsx-reader.js';

export interface Column {
  key: string;
  header: string;
  required?: boolean;
  width?: number;
  /** Allowed values (shown as a drop-down in the template). */
  list?: string[];
  note?: string;
}

const RELATIONS: Record<string, 'owner' | 'tenant' | 'family' | 'other'> = {
  业主: 'owner',
  租户: 'tenant',
  家庭成员: 'family',
  其他: 'other',
};
const HUKOU: Record<string, 'local' | 'nonlocal' | 'unknown'> = {
  户籍: 'local',
  本地户籍: 'local',
  非户籍: 'nonlocal',
  外地户籍: 'nonlocal',
  不详: 'unknown',
};
const ID_TYPE_BY_LABEL = new Map(Object.entries(ID_TYPE_LABELS).map(([k, v]) => [v, k as IdType]));
const TAG_BY_LABEL = new Map(Object.entries(RESIDENT_TAG_LABELS).map(([k, v]) => [v, k as ResidentTag]));

export const RESIDENT_COLUMNS: Column[] = [
  { key: 'name', header: '姓名', required: true, width: 10 },
  { key: 'idType', header: '证件类型', width: 14, list: Object.values(ID_TYPE_LABELS), note: '空白视为居民身份证' },
  { key: 'idNumber', header: '证件号码', required: true, width: 22 },
  { key: 'phone', header: '联系电话', width: 15 },
  { key: 'gender', header: '性别', width: 6, list: ['男', '女'], note: '身份证号可推出时可不填' },
  { key: 'birthDate', header: '出生日期', width: 12, note: 'YYYY-MM-DD；身份证号可推出时可不填' },
  { key: 'hukou', header: '户籍类型', width: 10, list: ['户籍', '非户籍', '不详'] },
  { key: 'hukouAddress', header: '户籍地址', width: 24 },
  { key: 'tags', header: '人员标签', width: 20, note: `多个以“、”分隔：${Object.values(RESIDENT_TAG_LABELS).join('、')}` },
  { key: 'disabilityGrade', header: '残疾等级', width: 8, list: ['1', '2', '3', '4'] },
  { key: 'compound', header: '小区', width: 12 },
  { key: 'building', header: '楼栋号', required: true, width: 8 },
  { key: 'unit', header: '单元', width: 6 },
  { key: 'room', header: '房号', required: true, width: 8 },
  { key: 'relation', header: '与房屋关系', width: 10, list: Object.keys(RELATIONS), note: '空白视为家庭成员' },
  { key: 'head', header: '户主', width: 6, list: ['是', '否'] },
  { key: 'movedInOn', header: '入住日期', width: 12, note: 'YYYY-MM-DD' },
  { key: 'note', header: '备注', width: 20 },
];

export async function template(columns: Column[], title: string): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = '家园 智慧社区平台';
  const ws = wb.addWorksheet(title, { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = columns.map((c) => ({ header: c.required ? `${c.header}*` : c.header, key: c.key, width: c.width ?? 12 }));
  ws.getRow(1).font = { bold: true };
  columns.forEach((c, i) => {
    const cell = ws.getCell(1, i + 1);
    if (c.required) cell.font = { bold: true, color: { argb: 'FFC00000' } };
    if (c.note) cell.note = c.note;
    if (c.list) {
      for (let r = 2; r <= 5001; r++)
        ws.getCell(r, i + 1).dataValidation = { type: 'list', allowBlank: true, formulae: [`"${c.list.join(',')}"`] };
    }
  });
  const help = wb.addWorksheet('填写说明');
  help.columns = [
    { header: '列', key: 'h', width: 14 },
    { header: '必填', key: 'r', width: 6 },
    { header: '说明', key: 'n', width: 80 },
  ];
  for (const c of columns)
    help.addRow({
      h: c.header,
      r: c.required ? '是' : '',
      n: [c.note, c.list ? `可选：${c.list.join('、')}` : ''].filter(Boolean).join('；'),
    });
  return Buffer.from(await wb.xlsx.writeBuffer());
}

export interface SheetRow {
  row: number;
  values: Record<string, string>;
}

function cellText(v: ExcelJS.CellValue): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  if (typeof v === 'object') {
    if ('richText' in v) return v.richText.map((t) => t.text).join('');
    if ('text' in v) return String(v.text);
    if ('result' in v) return cellText(v.result as ExcelJS.CellValue);
    return '';
  }
  return String(v).trim();
}

/** Maps a sheet's rows to column keys: columns are found by their header text in row 1. */
function rowsByHeader(header: [number, string][], rows: Iterable<{ row: number; text: (col: number) => string }>, columns: Column[]) {
  const index = new Map<string, number>();
  for (const [col, value] of header) {
    const text = value.replace(/\*$/, '').trim();
    const c = columns.find((x) => x.header === text);
    if (c) index.set(c.key, col);
  }
  const missing = columns.filter((c) => c.required && !index.has(c.key)).map((c) => c.header);
  if (missing.length) throw problems.field('body', `缺少必填列：${missing.join('、')}（请使用下载的模板）`);
  const cols = [...index];
  const out: SheetRow[] = [];
  for (const r of rows) {
    const values: Record<string, string> = {};
    let any = false;
    for (const [key, col] of cols) {
      const t = r.text(col);
      values[key] = t;
      if (t) any = true;
    }
    if (any) out.push({ row: r.row, values });
  }
  return out;
}

/**
 * Reads the first sheet; columns are found by their header text (order does not matter). Plain
 * ledgers are read by the fast reader (xlsx-reader.ts); anything it does not read exactly as exceljs
 * would (formulas, merged cells, …) is read by exceljs.
 */
export async function readSheet(buf: Buffer, columns: Column[]): Promise<SheetRow[]> {
  const fast = readFirstSheetFast(buf);
  if (fast) {
    const first = fast[0]?.row === 1 ? fast[0] : undefined;
    const header: [number, string][] = [];
    first?.cells.forEach((t, col) => {
      if (t !== undefined) header.push([col, t]);
    });
    const data = fast.filter((r) => r.row > 1);
    return rowsByHeader(
      header,
      data.map((r) => ({ row: r.row, text: (col: number) => r.cells[col] ?? '' })),
      columns,
    );
  }
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(buf as unknown as ArrayBuffer);
  } catch {
    throw problems.field('body', '无法读取文件，请上传 .xlsx 格式的 Excel 文件');
  }
  const ws = wb.worksheets[0];
  if (!ws) throw problems.field('body', '文件中没有工作表');
  const header: [number, string][] = [];
  ws.getRow(1).eachCell((cell, col) => {
    header.push([col, cellText(cell.value)]);
  });
  const rows: { row: number; text: (col: number) => string }[] = [];
  ws.eachRow({ includeEmpty: false }, (r, n) => {
    if (n > 1) rows.push({ row: n, text: (col) => cellText(r.getCell(col).value) });
  });
  return rowsByHeader(header, rows, columns);
}

export interface RowProblem {
  row: number;
  column: string;
  message: string;
}

export interface ImportReport {
  total: number;
  valid: number;
  inserted: number;
  unchanged: number;
  invalid: number;
  committed: boolean;
  errors: RowProblem[];
}

export type ImportMode = 'validate' | 'commit' | 'commit-valid';

const header = (key: string) => RESIDENT_COLUMNS.find((c) => c.key === key)?.header ?? key;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Rows checked between looks at the database connection (so batches keep flowing to it). */
const CHUNK = 1000;
/** Rows per INSERT statement. */
const BATCH = 5000;
/** INSERT batches waiting at most; checking waits while more are. */
const IN_FLIGHT = 2;

/** Imports of at least this many new residents merge the name index's pending entries when they commit. */
const MERGE_AFTER = 1000;

/** Thrown inside the import transaction to roll it back when `commit` meets an invalid row. */
class RollBack extends Error {}

/**
 * Writes batches of residents while rows are still being checked: the database inserts one batch
 * while this process checks and encrypts the next (one transaction throughout).
 */
class BatchWriter {
  /** The batches sent or waiting, oldest first; each starts when the one before it has finished. */
  private queue: Promise<void>[] = [];
  private tail: Promise<void> = Promise.resolve();
  private failure: { error: unknown } | null = null;

  constructor(
    private readonly tx: Executor,
    private readonly communityId: string,
  ) {}

  write(batch: store.ResidentColumns): void {
    if (batch.id.length === 0) return;
    this.tail = this.tail.then(async () => {
      if (this.failure) return;
      try {
        await store.insertResidentColumns(this.tx, this.communityId, batch);
      } catch (error) {
        this.failure = { error };
      }
    });
    this.queue.push(this.tail);
  }

  /** Waits while too many batches are waiting. */
  async throttle(): Promise<void> {
    while (this.queue.length > IN_FLIGHT) await this.queue.shift();
  }

  async finish(): Promise<void> {
    await this.tail;
    this.queue = [];
    if (this.failure) throw this.failure.error;
  }
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Residents with their homes. Every row is checked (ID checksum per GB 11643, phone, unknown room,
 * duplicates in the file and against the register); a person already registered in the community
 * (same ID number) is left unchanged. With errors, `commit` writes nothing; `commit-valid` writes
 * the good rows. Rows are written (in one transaction) while later rows are still being checked;
 * `commit` rolls the transaction back at the end if any row was invalid.
 */
export async function importResidents(
  ctx: Ctx,
  keys: DataKeys,
  regionId: string,
  rows: SheetRow[],
  mode: ImportMode,
  progress?: (processed: number) => void,
): Promise<ImportReport> {
  const place = await placeOf(ctx.db, regionId);
  if (!place || place.gridId) throw problems.field('query.regionId', '应为社区');
  const communityId = place.communityId;
  const [roomIndex, existing] = await Promise.all([store.roomKeys(ctx.db, communityId), store.idNumberIndexes(ctx.db, communityId)]);

  const errors: RowProblem[] = [];
  const seen = new Map<string, number>();
  let unchanged = 0;
  let invalid = 0;
  let inserted = 0;
  let batch = store.residentColumns();

  /** Checks one row; a valid new person goes into `batch` (encrypted) when `write` is set. */
  const check = ({ row, values: v }: SheetRow, write: boolean) => {
    const problemsHere: RowProblem[] = [];
    const bad = (key: string, message: string) => problemsHere.push({ row, column: header(key), message });
    const idType: string = v.idType ? (ID_TYPE_BY_LABEL.get(v.idType) ?? '') : 'resident_id';
    if (!isIdType(idType)) bad('idType', `证件类型应为：${Object.values(ID_TYPE_LABELS).join('、')}`);
    if (!v.name) bad('name', '姓名不能为空');
    const tags: string[] = [];
    for (const label of (v.tags ?? '').split(/[、,，;；\s]+/).filter(Boolean)) {
      const tag = TAG_BY_LABEL.get(label);
      if (tag) tags.push(tag);
      else bad('tags', `未知的人员标签：${label}`);
    }
    const gender = v.gender === '男' ? 'male' : v.gender === '女' ? 'female' : undefined;
    if (v.gender && !gender) bad('gender', '性别应为“男”或“女”');
    if (v.birthDate && !DATE.test(v.birthDate)) bad('birthDate', '出生日期格式应为 YYYY-MM-DD');
    if (v.movedInOn && !DATE.test(v.movedInOn)) bad('movedInOn', '入住日期格式应为 YYYY-MM-DD');
    const hukou = v.hukou ? HUKOU[v.hukou] : 'local';
    if (!hukou) bad('hukou', '户籍类型应为“户籍”“非户籍”或“不详”');
    const relation = v.relation ? RELATIONS[v.relation] : 'family';
    if (!relation) bad('relation', `与房屋关系应为：${Object.keys(RELATIONS).join('、')}`);
    const grade = v.disabilityGrade ? Number(v.disabilityGrade) : null;
    if (grade !== null && !(Number.isInteger(grade) && grade >= 1 && grade <= 4)) bad('disabilityGrade', '残疾等级应为 1–4');
    // What the ID number tells (resident IDs), as checkResident derived it.
    let facts: { gender?: 'male' | 'female'; birthDate?: string } = {};
    if (isIdType(idType) && v.idNumber) {
      const { errors: fieldErrors, derived } = checkResident({
        idType,
        idNumber: v.idNumber,
        phone: v.phone || null,
        ...(gender ? { gender } : {}),
        ...(v.birthDate && DATE.test(v.birthDate) ? { birthDate: v.birthDate } : {}),
        tags,
        disabilityGrade: grade,
      });
      for (const e of fieldErrors) bad(e.field.replace('body.', ''), e.message);
      facts = derived;
    } else if (!v.idNumber) bad('idNumber', '证件号码不能为空');
    const roomKey = `${v.compound ?? ''}|${v.building ?? ''}|${v.unit ?? ''}|${v.room ?? ''}`;
    const home = roomIndex.get(roomKey);
    if (!home)
      bad(
        'room',
        `本社区没有这个房屋：${[v.compound, v.building && `${v.building}栋`, v.unit && `${v.unit}单元`, v.room && `${v.room}室`].filter(Boolean).join(' ')}`,
      );

    if (problemsHere.length) {
      errors.push(...problemsHere);
      invalid++;
      return;
    }
    const index = documentIndex(keys, idType, v.idNumber!);
    const first = seen.get(index);
    if (first !== undefined) {
      errors.push({ row, column: header('idNumber'), message: `与第 ${first} 行证件号码重复` });
      invalid++;
      return;
    }
    seen.set(index, row);
    // Registered already, under the current key's index or (until the rotation job has rewritten the
    // row) a previous key's.
    if (
      existing.has(index) ||
      (keys.previousKeyIds.length > 0 && documentIndexes(keys, idType, v.idNumber!).some((i) => existing.has(i)))
    ) {
      unchanged++;
      return;
    }
    inserted++;
    if (!write) return; // only checking: nothing to encrypt
    const id = normaliseDocumentNumber(idType as IdType, v.idNumber!);
    const phone = v.phone ? normalisePhone(v.phone) : null;
    const k = nameSearchKeys(v.name!);
    const b = batch;
    b.id.push(uuidv7());
    b.gridId.push(home!.gridId);
    b.name.push(v.name!);
    b.namePinyin.push(k.full);
    b.nameInitials.push(k.initials);
    b.nameGrams.push(nameGrams(v.name!));
    b.gender.push(gender ?? facts.gender ?? null);
    b.birthDate.push(v.birthDate || facts.birthDate || null);
    b.idType.push(idType);
    b.idNumberEnc.push(encrypt(keys, id, 'resident.id_number'));
    b.idNumberIndex.push(index);
    b.idNumberMasked.push(maskIdNumber(id));
    b.phoneEnc.push(phone ? encrypt(keys, phone, 'resident.phone') : null);
    b.phoneIndex.push(phone ? phoneIndex(keys, phone) : null);
    b.phoneMasked.push(phone ? maskPhone(phone) : null);
    b.hukou.push(hukou!);
    b.hukouAddress.push(v.hukouAddress || null);
    b.tags.push(tags);
    b.disabilityGrade.push(grade);
    b.note.push(v.note || null);
    b.homeId.push(uuidv7());
    b.roomId.push(home!.roomId);
    b.relation.push(relation!);
    b.householdHead.push(v.head === '是');
    b.movedInOn.push(v.movedInOn || null);
  };

  /** Checks every row, handing full batches to `writer` while the import may still commit. */
  const checkAll = async (writer: BatchWriter | null) => {
    const writing = () => writer !== null && (mode === 'commit-valid' || errors.length === 0);
    for (let i = 0; i < rows.length; i += CHUNK) {
      const end = Math.min(rows.length, i + CHUNK);
      for (let j = i; j < end; j++) check(rows[j]!, writing());
      if (writer && (batch.id.length >= BATCH || end === rows.length)) {
        if (writing()) writer.write(batch);
        batch = store.residentColumns();
        await writer.throttle();
      }
      progress?.(end);
      if (end < rows.length) await nextTurn();
    }
    await writer?.finish();
  };

  const report = (committed: boolean): ImportReport => ({
    total: rows.length,
    valid: rows.length - invalid,
    inserted: committed ? inserted : 0,
    unchanged,
    invalid,
    committed,
    errors,
  });
  if (mode === 'validate') {
    await checkAll(null);
    return report(false);
  }
  try {
    await transaction(ctx.db, async (tx: Executor) => {
      await checkAll(new BatchWriter(tx, communityId));
      if (mode === 'commit' && errors.length > 0) throw new RollBack();
      await emit(tx, 'registry.imported', { kind: 'residents', inserted }, communityId);
      await appendAudit(tx, {
        caller: ctx.caller,
        ip: ctx.ip,
        userAgent: ctx.userAgent,
        action: ctx.action,
        targetType: 'community',
        targetId: communityId,
        scopePath: place.path,
        outcome: 'success',
        statusCode: 200,
        detail: { kind: 'residents', mode, total: rows.length, inserted, unchanged, invalid },
      });
    });
  } catch (e) {
    if (e instanceof RollBack) return report(false);
    throw e;
  }
  ctx.markAudited();
  if (inserted >= MERGE_AFTER) await store.mergePendingNameEntries(ctx.db);
  return report(true);
}

/** A filtered list of residents as xlsx, masked (the export itself is audited by the caller). */
export async function residentsWorkbook(
  items: {
    name: string;
    gender: string | null;
    birthDate: string | null;
    age: number | null;
    idNumber: string;
    phone: string | null;
    hukou: string;
    tags: string[];
  }[],
): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('居民', { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = [
    { header: '姓名', key: 'name', width: 10 },
    { header: '性别', key: 'gender', width: 6 },
    { header: '出生日期', key: 'birthDate', width: 12 },
    { header: '年龄', key: 'age', width: 6 },
    { header: '证件号码', key: 'idNumber', width: 22 },
    { header: '联系电话', key: 'phone', width: 15 },
    { header: '户籍类型', key: 'hukou', width: 10 },
    { header: '人员标签', key: 'tags', width: 30 },
  ];
  ws.getRow(1).font = { bold: true };
  const hukouLabel = { local: '户籍', nonlocal: '非户籍', unknown: '不详' } as Record<string, string>;
  for (const r of items)
    ws.addRow({
      ...r,
      gender: r.gender === 'male' ? '男' : r.gender === 'female' ? '女' : '',
      hukou: hukouLabel[r.hukou] ?? r.hukou,
      tags: r.tags.map((t) => RESIDENT_TAG_LABELS[t as ResidentTag] ?? t).join('、'),
    });
  return Buffer.from(await wb.xlsx.writeBuffer());
}
