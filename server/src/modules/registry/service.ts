// Use cases of the community register (人、房): residents, buildings, rooms and who lives where.
// Personal data (`004` 5.1 安全性): ID numbers and phones are stored encrypted, found by blind index,
// answered masked, and revealed only by a separate, audited call.
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { blindIndex, blindIndexes, decrypt, encrypt, type DataKeys } from '../../crypto/personal-data.js';
import { beijingDay } from '../../db/days.js';
import { pgErrorCode, type Db, type Executor } from '../../db/pool.js';
import { uuidv7 } from '../../db/ids.js';
import type { Caller, Ctx } from '../../http/context.js';
import { problems, type FieldError } from '../../http/errors.js';
import { hasPermission } from '../accounts/model.js';
import { appendListReadAudit, auditedChange, listReadAuditStatement, type AuditInput } from '../audit/service.js';
import { emit } from '../events/service.js';
import { dataScope, pathOfPlace, placeOf, regionNames } from '../regions/service.js';
import {
  ageOn,
  documentProblem,
  idNumberFacts,
  maskIdNumber,
  maskPhone,
  nameGrams,
  nameSearchKeys,
  normaliseDocumentNumber,
  normaliseIdNumber,
  isIdType,
  normalisePhone,
  phoneProblem,
  isResidentTag,
  isSensitiveTag,
  type IdType,
} from './model.js';
import * as store from './store.js';

const ID_CTX = 'resident.id_number';
const PHONE_CTX = 'resident.phone';

function normaliseDocument(idType: string, idNumber: string): string {
  return isIdType(idType) ? normaliseDocumentNumber(idType, idNumber) : idNumber.trim().toUpperCase();
}

/**
 * Blind index of a document: the type is part of it, so a passport and an ID with equal digits differ.
 * The index to write (current key); lookups use `documentIndexes`.
 */
export function documentIndex(keys: DataKeys, idType: string, idNumber: string): string {
  return blindIndex(keys, `id:${idType}`, normaliseDocument(idType, idNumber));
}

/** The document's blind indexes under the current and every previous key: what lookups and duplicate checks match. */
export function documentIndexes(keys: DataKeys, idType: string, idNumber: string): string[] {
  return blindIndexes(keys, `id:${idType}`, normaliseDocument(idType, idNumber));
}

export function phoneIndex(keys: DataKeys, phone: string): string {
  return blindIndex(keys, 'phone', normalisePhone(phone));
}

/** The phone's blind indexes under the current and every previous key: what lookups match. */
export function phoneIndexes(keys: DataKeys, phone: string): string[] {
  return blindIndexes(keys, 'phone', normalisePhone(phone));
}

// ---- residents --------------------------------------------------------------------------------

export type ResidentView = ReturnType<typeof presentResident>;

function presentResident(r: store.ResidentRow, caller: Caller) {
  const sensitive = hasPermission(caller.roles, 'registry.sensitive');
  return {
    id: r.id,
    communityId: r.communityId,
    gridId: r.gridId,
    name: r.name,
    gender: r.gender as 'male' | 'female' | null,
    birthDate: r.birthDate,
    age: r.birthDate && r.birthDate <= beijingDay() ? ageOn(r.birthDate, new Date()) : null,
    idType: r.idType,
    idNumber: r.idNumberMasked,
    phone: r.phoneMasked,
    hukou: r.hukou,
    hukouAddress: r.hukouAddress,
    status: r.status,
    tags: sensitive ? r.tags : r.tags.filter((t) => !isSensitiveTag(t)),
    disabilityGrade: sensitive ? r.disabilityGrade : null,
    note: r.note,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

export interface ResidentInput {
  name: string;
  idType: IdType;
  idNumber: string;
  phone?: string | null;
  gender?: 'male' | 'female' | null;
  birthDate?: string | null;
  hukou?: 'local' | 'nonlocal' | 'unknown';
  hukouAddress?: string | null;
  tags?: string[];
  disabilityGrade?: number | null;
  note?: string | null;
}

/** Checks a resident's fields; returns the derived facts and every problem found, field by field. */
export function checkResident(
  input: Partial<ResidentInput>,
  prefix = 'body',
): { errors: FieldError[]; derived: { gender?: 'male' | 'female'; birthDate?: string } } {
  const errors: FieldError[] = [];
  const derived: { gender?: 'male' | 'female'; birthDate?: string } = {};
  if (input.idType !== undefined && input.idNumber !== undefined) {
    const p = documentProblem(input.idType, input.idNumber);
    if (p) errors.push({ field: `${prefix}.idNumber`, message: p });
    else if (input.idType === 'resident_id') {
      const facts = idNumberFacts(normaliseIdNumber(input.idNumber));
      derived.gender = facts.gender;
      derived.birthDate = facts.birthDate;
      if (input.birthDate && input.birthDate !== facts.birthDate)
        errors.push({ field: `${prefix}.birthDate`, message: `与身份证号中的出生日期（${facts.birthDate}）不一致` });
      if (input.gender && input.gender !== facts.gender) errors.push({ field: `${prefix}.gender`, message: '与身份证号中的性别不一致' });
    }
  }
  if (input.phone) {
    const p = phoneProblem(input.phone);
    if (p) errors.push({ field: `${prefix}.phone`, message: p });
  }
  for (const t of input.tags ?? []) if (!isResidentTag(t)) errors.push({ field: `${prefix}.tags`, message: `未知的人员标签：${t}` });
  if (input.disabilityGrade != null && !(input.tags ?? []).includes('disabled'))
    errors.push({ field: `${prefix}.disabilityGrade`, message: '仅残疾人可填写残疾等级' });
  return { errors, derived };
}

function protectedFields(keys: DataKeys, idType: string, idNumber: string, phone: string | null | undefined) {
  const id = normaliseDocument(idType, idNumber);
  const ph = phone ? normalisePhone(phone) : null;
  return {
    idNumberEnc: encrypt(keys, id, ID_CTX),
    idNumberIndex: documentIndex(keys, idType, id),
    idNumberMasked: maskIdNumber(id),
    phoneEnc: ph ? encrypt(keys, ph, PHONE_CTX) : null,
    phoneIndex: ph ? phoneIndex(keys, ph) : null,
    phoneMasked: ph ? maskPhone(ph) : null,
  };
}

export async function createResident(ctx: Ctx, keys: DataKeys, regionId: string, input: ResidentInput) {
  const place = await placeOf(ctx.db, regionId);
  if (!place) throw problems.field('body.regionId', '应为社区或网格');
  const { errors, derived } = checkResident(input);
  if (errors.length) throw problems.validation(errors);
  const prot = protectedFields(keys, input.idType, input.idNumber, input.phone);
  if (await store.findResidentByIdNumber(ctx.db, place.communityId, documentIndexes(keys, input.idType, input.idNumber)))
    throw problems.conflict('该证件号码已在本社区登记', [{ field: 'body.idNumber', message: '该证件号码已在本社区登记' }]);
  const keysOfName = nameSearchKeys(input.name);
  return auditedChange(
    ctx,
    {
      targetType: 'resident',
      targetId: (r) => r.id,
      scopePath: () => place.path,
      statusCode: 201,
      detail: (r) => ({ name: r.name, communityId: r.communityId }),
    },
    async (tx: Executor) => {
      const row = await store.insertResident(tx, {
        communityId: place.communityId,
        id: uuidv7(),
        gridId: place.gridId,
        name: input.name,
        namePinyin: keysOfName.full,
        nameInitials: keysOfName.initials,
        nameGrams: nameGrams(input.name),
        gender: input.gender ?? derived.gender ?? null,
        birthDate: input.birthDate ?? derived.birthDate ?? null,
        idType: input.idType,
        ...prot,
        hukou: input.hukou ?? 'local',
        hukouAddress: input.hukouAddress ?? null,
        tags: input.tags ?? [],
        disabilityGrade: input.disabilityGrade ?? null,
        note: input.note ?? null,
      });
      await emit(tx, 'resident.registered', { residentId: row.id, name: row.name }, row.communityId);
      return presentResident(row, ctx.caller);
    },
  );
}

export async function updateResident(ctx: Ctx, keys: DataKeys, id: string, patch: Partial<ResidentInput>) {
  const r = await store.findResident(ctx.db, id);
  if (!r) throw problems.notFound('居民');
  if (patch.idNumber !== undefined && patch.idType === undefined) patch = { ...patch, idType: r.idType as IdType };
  if (patch.idType !== undefined && patch.idNumber === undefined) throw problems.field('body.idNumber', '修改证件类型时须同时填写证件号码');
  // Sensitive tags are kept as they are for callers who cannot see them.
  if (patch.tags && !hasPermission(ctx.caller.roles, 'registry.sensitive'))
    patch = { ...patch, tags: [...patch.tags.filter((t) => !isSensitiveTag(t)), ...r.tags.filter((t) => isSensitiveTag(t))] };
  // An explicit null clears the grade: only a field left out keeps the stored value.
  const grade = 'disabilityGrade' in patch ? patch.disabilityGrade : r.disabilityGrade;
  const { errors, derived } = checkResident({ ...patch, tags: patch.tags ?? r.tags, disabilityGrade: grade });
  // Gender and birth date given without a new ID number must agree with the stored one.
  if (patch.idNumber === undefined && r.idType === 'resident_id' && (patch.gender || patch.birthDate)) {
    const stored = decrypt(keys, r.idNumberEnc, ID_CTX);
    errors.push(
      ...checkResident({
        idType: 'resident_id',
        idNumber: stored,
        ...(patch.gender ? { gender: patch.gender } : {}),
        ...(patch.birthDate ? { birthDate: patch.birthDate } : {}),
      }).errors,
    );
  }
  if (errors.length) throw problems.validation(errors);
  const values: Parameters<typeof store.updateResident>[3] = {};
  if (patch.name !== undefined) {
    const k = nameSearchKeys(patch.name);
    Object.assign(values, { name: patch.name, namePinyin: k.full, nameInitials: k.initials, nameGrams: nameGrams(patch.name) });
  }
  if (patch.idNumber !== undefined) {
    const current = decrypt(keys, r.idNumberEnc, ID_CTX);
    const phoneNow = patch.phone !== undefined ? patch.phone : r.phoneEnc ? decrypt(keys, r.phoneEnc, PHONE_CTX) : null;
    const prot = protectedFields(keys, patch.idType!, patch.idNumber, phoneNow);
    // Another person with the new document? (Compared as plaintext: during a key rotation the stored
    // index may be a previous key's, so unequal indexes do not mean a changed document.)
    const changed = patch.idType !== r.idType || current !== normaliseDocument(patch.idType!, patch.idNumber);
    if (changed && (await store.findResidentByIdNumber(ctx.db, r.communityId, documentIndexes(keys, patch.idType!, patch.idNumber))))
      throw problems.conflict('该证件号码已在本社区登记', [{ field: 'body.idNumber', message: '该证件号码已在本社区登记' }]);
    Object.assign(values, { idType: patch.idType, ...prot }, current !== normaliseDocument(patch.idType!, patch.idNumber) ? derived : {});
  } else if (patch.phone !== undefined) {
    const ph = patch.phone ? normalisePhone(patch.phone) : null;
    Object.assign(values, {
      phoneEnc: ph ? encrypt(keys, ph, PHONE_CTX) : null,
      phoneIndex: ph ? phoneIndex(keys, ph) : null,
      phoneMasked: ph ? maskPhone(ph) : null,
    });
  }
  for (const k of ['gender', 'birthDate', 'hukou', 'hukouAddress', 'tags', 'disabilityGrade', 'note'] as const)
    if (patch[k] !== undefined) Object.assign(values, { [k]: patch[k] });
  const path = (await pathOfPlace(ctx.db, r.communityId, r.gridId))!;
  return auditedChange(
    ctx,
    { targetType: 'resident', targetId: () => id, scopePath: () => path, detail: () => ({ changed: Object.keys(patch) }) },
    async (tx: Executor) => {
      const row = await store.updateResident(tx, r.communityId, id, values);
      await emit(tx, 'resident.updated', { residentId: id, name: row.name, changed: Object.keys(patch) }, r.communityId);
      return presentResident(row, ctx.caller);
    },
  );
}

export interface ResidentQuery {
  q?: string | undefined;
  communityId?: string | undefined;
  gridId?: string | undefined;
  tag?: string | undefined;
  page: number;
  pageSize: number;
}

const ID_LIKE = /^[0-9]{6,17}[0-9Xx]$/;
const PHONE_LIKE = /^[+\d][\d\s-]{6,18}$/;

/**
 * Search in the caller's scope: an ID number or phone finds by exact match (blind index); ASCII
 * letters search pinyin initials or full pinyin; anything else a name or address fragment.
 */
export async function searchResidents(ctx: Ctx, keys: DataKeys, query: ResidentQuery) {
  const w = await dataScope(ctx.db, ctx.caller);
  if (query.tag && isSensitiveTag(query.tag) && !hasPermission(ctx.caller.roles, 'registry.sensitive'))
    throw problems.forbidden('无权按敏感标签查询');
  const q = query.q?.trim() ?? '';
  const f: store.ResidentFilter = {
    ...(query.communityId ? { communityId: query.communityId } : {}),
    ...(query.gridId ? { gridId: query.gridId } : {}),
    ...(query.tag ? { tag: query.tag } : {}),
  };
  if (q) {
    if (ID_LIKE.test(q) && q.length >= 15) f.idNumberIndex = documentIndexes(keys, 'resident_id', q);
    else if (PHONE_LIKE.test(q) && !phoneProblem(q)) f.phoneIndex = phoneIndexes(keys, q);
    else if (/^[a-zA-Z]+$/.test(q)) f.pinyin = q.toLowerCase();
    else f.text = q;
  }
  // Listing people is a read of personal data: recorded, without the search text (it may be a number),
  // committed before the answer leaves (asynchronously flushed: see appendListReadAudit). The sealer
  // chains it on its next sweep rather than being woken for every search. A search writes the record
  // in its own statement (one round trip); a plain list, whose count is a walk of its own, after it.
  const kind = f.idNumberIndex ? 'id' : f.phoneIndex ? 'phone' : f.pinyin ? 'pinyin' : f.text ? 'text' : 'all';
  const entry: Omit<AuditInput, 'detail'> = {
    caller: ctx.caller,
    ip: ctx.ip,
    userAgent: ctx.userAgent,
    action: ctx.action,
    targetType: 'resident',
    targetId: null,
    scopePath: ctx.caller.regionPath,
    outcome: 'success',
    statusCode: 200,
  };
  const r = await store.searchResidents(ctx.db, w, f, query.pageSize, (query.page - 1) * query.pageSize, (found) =>
    listReadAuditStatement(entry, sql`jsonb_build_object('kind', ${kind}::text, 'returned', ${found.returned}, 'total', ${found.total})`),
  );
  if (!r.audited) await appendListReadAudit(ctx.db, { ...entry, detail: { kind, returned: r.items.length, total: r.total } });
  ctx.markAudited();
  return { items: r.items.map((x) => ({ ...presentResident(x, ctx.caller), homes: x.homes })), total: r.total };
}

export async function residentDetail(ctx: Ctx, id: string) {
  const r = await store.findResident(ctx.db, id);
  if (!r) throw problems.notFound('居民');
  const homes = await store.currentHomes(ctx.db, r.communityId, id);
  const path = (await pathOfPlace(ctx.db, r.communityId, r.gridId))!;
  await auditedChange(ctx, { targetType: 'resident', targetId: () => id, scopePath: () => path }, async () => null);
  return { ...presentResident(r, ctx.caller), homes: homes.map((h) => ({ ...h, movedInOn: h.movedInOn, movedOutOn: h.movedOutOn })) };
}

/** The full ID number and phone, for a caller allowed to see them; every call is audited. */
export async function revealResident(ctx: Ctx, keys: DataKeys, id: string) {
  const r = await store.findResident(ctx.db, id);
  if (!r) throw problems.notFound('居民');
  const path = (await pathOfPlace(ctx.db, r.communityId, r.gridId))!;
  return auditedChange(
    ctx,
    { targetType: 'resident', targetId: () => id, scopePath: () => path, detail: () => ({ fields: ['idNumber', 'phone'] }) },
    async () => ({ idNumber: decrypt(keys, r.idNumberEnc, ID_CTX), phone: r.phoneEnc ? decrypt(keys, r.phoneEnc, PHONE_CTX) : null }),
  );
}

export async function residentPath(db: Db, id: string): Promise<string | null> {
  const r = await store.findResident(db, id);
  return r ? pathOfPlace(db, r.communityId, r.gridId) : null;
}

// ---- buildings and rooms ----------------------------------------------------------------------

const plateCode = () => randomBytes(9).toString('base64url');

export interface BuildingInput {
  compound?: string;
  road?: string;
  number: string;
  floors?: number;
  units?: number;
  use?: string;
  builtYear?: number;
  lng?: number;
  lat?: number;
}

function presentBuilding(b: store.BuildingRow, counts?: { rooms: number; occupied: number }) {
  return {
    id: b.id,
    communityId: b.communityId,
    gridId: b.gridId,
    compound: b.compound,
    road: b.road,
    number: b.number,
    label: `${b.compound}${b.number}栋`,
    floors: b.floors,
    use: b.use,
    builtYear: b.builtYear,
    lng: b.lng,
    lat: b.lat,
    plateCode: b.plateCode,
    rooms: counts?.rooms ?? 0,
    occupied: counts?.occupied ?? 0,
  };
}

export async function createBuilding(ctx: Ctx, regionId: string, input: BuildingInput) {
  const place = await placeOf(ctx.db, regionId);
  if (!place) throw problems.field('body.regionId', '应为社区或网格');
  const id = uuidv7();
  try {
    return await auditedChange(
      ctx,
      { targetType: 'building', targetId: () => id, scopePath: () => place.path, statusCode: 201, detail: (b) => ({ label: b.label }) },
      async (tx: Executor) => {
        const b = await store.insertBuilding(tx, {
          communityId: place.communityId,
          id,
          gridId: place.gridId,
          compound: input.compound ?? '',
          road: input.road ?? '',
          number: input.number,
          floors: input.floors ?? null,
          use: input.use ?? 'residential',
          builtYear: input.builtYear ?? null,
          lng: input.lng ?? null,
          lat: input.lat ?? null,
          plateCode: plateCode(),
        });
        await store.insertUnits(
          tx,
          Array.from({ length: input.units ?? 0 }, (_, i) => ({
            communityId: place.communityId,
            id: uuidv7(),
            buildingId: id,
            number: String(i + 1),
          })),
        );
        await emit(tx, 'building.registered', { buildingId: id }, place.communityId);
        return presentBuilding(b);
      },
    );
  } catch (e) {
    if (pgErrorCode(e) === '23505')
      throw problems.conflict('该小区已有同号楼栋', [{ field: 'body.number', message: '该小区已有同号楼栋' }]);
    throw e;
  }
}

export async function listBuildings(ctx: Ctx, communityId?: string, gridId?: string) {
  const w = await dataScope(ctx.db, ctx.caller);
  const rows = await store.listBuildings(ctx.db, w, communityId, gridId);
  return rows.map((r) => presentBuilding(r.building, { rooms: r.rooms, occupied: r.occupied }));
}

export async function buildingDetail(db: Db, id: string) {
  const b = await store.findBuilding(db, id);
  if (!b) throw problems.notFound('楼栋');
  const [unitRows, roomRows] = await Promise.all([store.unitsOf(db, b.communityId, id), store.roomsOf(db, b.communityId, id)]);
  const unitNo = new Map(unitRows.map((u) => [u.id, u.number]));
  return {
    ...presentBuilding(b, { rooms: roomRows.length, occupied: roomRows.filter((r) => r.occupants > 0).length }),
    units: unitRows.map((u) => ({ id: u.id, number: u.number })),
    roomList: roomRows.map(({ room, occupants }) => ({
      ...presentRoom(room),
      unitNumber: room.unitId ? (unitNo.get(room.unitId) ?? null) : null,
      occupants,
    })),
  };
}

export async function buildingPath(db: Db, id: string): Promise<string | null> {
  const b = await store.findBuilding(db, id);
  return b ? pathOfPlace(db, b.communityId, b.gridId) : null;
}

function presentRoom(r: store.RoomRow) {
  return {
    id: r.id,
    communityId: r.communityId,
    buildingId: r.buildingId,
    floor: r.floor,
    number: r.number,
    area: r.area,
    use: r.use,
    address: r.address,
    plateCode: r.plateCode,
  };
}

/** Standard address (GB/T 39609 order): administrative names, road, compound, building, unit, room. */
export function standardAddress(
  regionNames: string[],
  b: { road: string; compound: string; number: string },
  unit: string | null,
  room: string,
): string {
  return [regionNames.join(''), b.road, b.compound, `${b.number}栋`, unit ? `${unit}单元` : '', `${room}室`].filter(Boolean).join(' ');
}

export interface RoomInput {
  buildingId: string;
  unitNumber?: string;
  floor?: number;
  number: string;
  area?: number;
  use?: string;
}

export async function createRoom(ctx: Ctx, input: RoomInput) {
  const b = await store.findBuilding(ctx.db, input.buildingId);
  if (!b) throw problems.field('body.buildingId', '楼栋不存在');
  const unitRows = await store.unitsOf(ctx.db, b.communityId, b.id);
  const unit = input.unitNumber ? unitRows.find((u) => u.number === input.unitNumber) : undefined;
  if (input.unitNumber && !unit) throw problems.field('body.unitNumber', '该楼栋没有这个单元');
  const names = await regionNames(ctx.db, [b.communityId]);
  const community = names.get(b.communityId)!;
  const ancestors = await regionNames(ctx.db, community.path.split('/').filter(Boolean));
  const fullNames = community.path
    .split('/')
    .filter(Boolean)
    .map((id) => ancestors.get(id)!.name);
  const address = standardAddress(fullNames, b, unit?.number ?? null, input.number);
  const path = (await pathOfPlace(ctx.db, b.communityId, b.gridId))!;
  try {
    return await auditedChange(
      ctx,
      { targetType: 'room', targetId: (r) => r.id, scopePath: () => path, statusCode: 201, detail: (r) => ({ address: r.address }) },
      async (tx: Executor) => {
        const r = await store.insertRoom(tx, {
          communityId: b.communityId,
          id: uuidv7(),
          buildingId: b.id,
          unitId: unit?.id ?? null,
          floor: input.floor ?? null,
          number: input.number,
          area: input.area ?? null,
          use: input.use ?? 'residential',
          address,
          plateCode: plateCode(),
        });
        return presentRoom(r);
      },
    );
  } catch (e) {
    if (pgErrorCode(e) === '23505') throw problems.conflict('该房屋已登记', [{ field: 'body.number', message: '该房屋已登记' }]);
    throw e;
  }
}

export async function roomPath(db: Db, id: string): Promise<string | null> {
  const r = await store.findRoom(db, id);
  if (!r) return null;
  const b = await store.findBuilding(db, r.buildingId);
  return b ? pathOfPlace(db, b.communityId, b.gridId) : null;
}

// ---- residencies ------------------------------------------------------------------------------

export interface ResidencyInput {
  residentId: string;
  roomId: string;
  relation: 'owner' | 'tenant' | 'family' | 'other';
  householdHead?: boolean;
  movedInOn?: string;
}

export async function addResidency(ctx: Ctx, input: ResidencyInput) {
  const [resident, room] = await Promise.all([store.findResident(ctx.db, input.residentId), store.findRoom(ctx.db, input.roomId)]);
  if (!resident) throw problems.field('body.residentId', '居民不存在');
  if (!room) throw problems.field('body.roomId', '房屋不存在');
  if (resident.communityId !== room.communityId) throw problems.field('body.roomId', '房屋与居民不在同一社区');
  if (await store.currentResidency(ctx.db, room.communityId, resident.id, room.id, input.relation))
    throw problems.conflict('该居民已按此关系登记在该房屋');
  const b = (await store.findBuilding(ctx.db, room.buildingId))!;
  const path = (await pathOfPlace(ctx.db, b.communityId, b.gridId))!;
  return auditedChange(
    ctx,
    {
      targetType: 'residency',
      targetId: (r) => r.id,
      scopePath: () => path,
      statusCode: 201,
      detail: () => ({ residentId: resident.id, roomId: room.id, relation: input.relation }),
    },
    async (tx: Executor) => {
      const r = await store.insertResidency(tx, {
        communityId: room.communityId,
        id: uuidv7(),
        residentId: resident.id,
        roomId: room.id,
        relation: input.relation,
        householdHead: input.householdHead ?? false,
        movedInOn: input.movedInOn ?? null,
      });
      // A resident's grid follows the home.
      if (b.gridId && resident.gridId !== b.gridId) await store.updateResident(tx, resident.communityId, resident.id, { gridId: b.gridId });
      await emit(
        tx,
        'resident.moved-in',
        { residentId: resident.id, name: resident.name, roomId: room.id, address: room.address, relation: input.relation },
        room.communityId,
      );
      return {
        id: r.id,
        residentId: r.residentId,
        roomId: r.roomId,
        relation: r.relation,
        householdHead: r.householdHead,
        movedInOn: r.movedInOn,
        movedOutOn: r.movedOutOn,
      };
    },
  );
}

export async function endResidency(ctx: Ctx, id: string, movedOutOn: string) {
  const r = await store.findResidency(ctx.db, id);
  if (!r) throw problems.notFound('居住关系');
  if (r.movedOutOn) throw problems.conflict('该居住关系已结束');
  if (r.movedInOn && movedOutOn < r.movedInOn) throw problems.field('body.movedOutOn', '迁出日期不能早于迁入日期');
  const path = (await roomPath(ctx.db, r.roomId))!;
  return auditedChange(
    ctx,
    { targetType: 'residency', targetId: () => id, scopePath: () => path, detail: () => ({ movedOutOn }) },
    async (tx: Executor) => {
      const x = await store.endResidency(tx, r.communityId, id, movedOutOn);
      const [who, where] = await Promise.all([store.findResident(tx, x.residentId), store.findRoom(tx, x.roomId)]);
      await emit(
        tx,
        'resident.moved-out',
        { residentId: x.residentId, name: who?.name, roomId: x.roomId, address: where?.address, movedOutOn },
        x.communityId,
      );
      return {
        id: x.id,
        residentId: x.residentId,
        roomId: x.roomId,
        relation: x.relation,
        householdHead: x.householdHead,
        movedInOn: x.movedInOn,
        movedOutOn: x.movedOutOn,
      };
    },
  );
}

export async function residencyPath(db: Db, id: string): Promise<string | null> {
  const r = await store.findResidency(db, id);
  return r ? roomPath(db, r.roomId) : null;
}

/** Rooms by address fragment, in the caller's scope (`GET /api/rooms?q=`). */
export async function searchRooms(ctx: Ctx, q: string | undefined, page: number, pageSize: number) {
  const w = await dataScope(ctx.db, ctx.caller);
  const r = await store.searchRooms(ctx.db, w, q?.trim() || undefined, pageSize, (page - 1) * pageSize);
  return { items: r.items.map(({ room, occupants }) => ({ ...presentRoom(room), occupants })), total: r.total };
}
