// Use cases of accounts: login and sessions, and managing users inside one's own scope.
import { randomBytes } from 'node:crypto';
import type { Config } from '../../config.js';
import { blindIndex, decrypt, encrypt, type DataKeys } from '../../crypto/personal-data.js';
import type { Db, Executor } from '../../db/pool.js';
import { transaction } from '../../db/notified-worker.js';
import { uuidv7 } from '../../db/ids.js';
import type { Caller, Ctx } from '../../http/context.js';
import { problems, type FieldError } from '../../http/errors.js';
import { tokenHash } from '../../http/guard.js';
import { appendAudit, auditedChange } from '../audit/service.js';
import { emit } from '../events/service.js';
import type { Level } from '../regions/model.js';
import { findRegion } from '../regions/store.js';
import { maskPhone, normalisePhone, phoneProblem } from '../registry/model.js';
import { checkGrant, grantableRoles, isRole, permissionsOf, ROLE_SPECS, type Role } from './model.js';
import { dummyHash, hashPassword, passwordProblem, verifyPassword } from './password.js';
import * as store from './store.js';

type UserViewRow = NonNullable<Awaited<ReturnType<typeof store.findUserView>>>;

export function presentUser(u: UserViewRow) {
  return {
    id: u.id,
    username: u.username,
    displayName: u.displayName,
    roles: u.roles.filter(isRole),
    status: u.status as 'active' | 'disabled',
    regionId: u.regionId,
    regionName: u.regionName,
    regionLevel: u.regionLevel as Level,
    lockedUntil: u.lockedUntil && u.lockedUntil.getTime() > Date.now() ? u.lockedUntil.toISOString() : null,
    lastLoginAt: u.lastLoginAt?.toISOString() ?? null,
    createdAt: u.createdAt.toISOString(),
    /** Masked (`138****5678`); the full number only through the audited reveal. */
    phone: u.phoneMasked ?? null,
  };
}

// ---- the account's own mobile phone (urgent text messages: SOS and fall escalation) ----------------

const PHONE_CTX = 'users.phone';

/** A mobile number for text messages: 11 digits, 13–19…; a fixed line cannot receive them. Chinese message, or null. */
export function mobileProblem(phone: string): string | null {
  const p = phoneProblem(phone);
  if (p) return p;
  return /^1[3-9]\d{9}$/.test(normalisePhone(phone)) ? null : '请填写 11 位手机号码（短信只能发送到手机）';
}

/** The columns that store a phone (encrypted, blind index, masked), or clear it (null or empty). */
function phoneColumns(keys: DataKeys, phone: string | null) {
  const n = phone ? normalisePhone(phone) : '';
  if (!n) return { phoneEnc: null, phoneHash: null, phoneMasked: null };
  return { phoneEnc: encrypt(keys, n, PHONE_CTX), phoneHash: blindIndex(keys, 'phone', n), phoneMasked: maskPhone(n) };
}

function checkPhone(phone: string | null | undefined, errors: FieldError[]) {
  if (!phone) return; // absent, null or empty: no phone
  const p = mobileProblem(phone);
  if (p) errors.push({ field: 'body.phone', message: p });
}

/** Plain mobile numbers of the given accounts that have one (for text messages inside `tx`). */
export async function accountPhones(db: Executor, keys: DataKeys, ids: string[]): Promise<Map<string, string>> {
  const enc = await store.phonesOf(db, ids);
  return new Map([...enc].map(([id, blob]) => [id, decrypt(keys, blob, PHONE_CTX)]));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface LoginRequest {
  username: string;
  password: string;
  ip: string;
  userAgent: string | null;
}

/**
 * Failed attempts are slowed (250 ms more per consecutive failure) and, after `loginMaxFailures`,
 * the username is locked for `loginLockSeconds`. Unknown usernames cost the same password check and
 * are slowed and locked the same way, so no answer reveals which accounts exist.
 */
export async function login(db: Db, cfg: Config, req: LoginRequest, markAudited: () => void) {
  const throttle = await store.throttleOf(db, req.username);
  if (throttle?.lockedUntil && throttle.lockedUntil.getTime() > Date.now()) throw problems.accountLocked(throttle.lockedUntil);
  const u = await store.findByUsername(db, req.username);
  let ok = false;
  if (u) ok = await verifyPassword(req.password, u.passwordHash);
  else await verifyPassword(req.password, await dummyHash()); // the same cost as a real check
  if (!u || !ok) {
    const r = await store.recordFailure(db, req.username, cfg.loginMaxFailures, cfg.loginLockSeconds);
    if (Math.random() < 0.01) await store.pruneThrottle(db);
    if (r.lockedUntil && r.lockedUntil.getTime() > Date.now()) throw problems.accountLocked(r.lockedUntil);
    await sleep(Math.min(250 * r.failures, 2000));
    throw problems.badCredentials();
  }
  if (u.status !== 'active') throw problems.accountDisabled();

  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + cfg.sessionTtlSeconds * 1000);
  const region = await findRegion(db, u.regionId);
  const roles = u.roles.filter(isRole);
  await transaction(db, async (tx) => {
    await store.patchUser(tx, u.id, { lastLoginAt: new Date() });
    await store.clearThrottle(tx, u.username);
    await store.insertSession(tx, {
      id: uuidv7(),
      tokenHash: tokenHash(token),
      userId: u.id,
      expiresAt,
      ip: req.ip,
      userAgent: req.userAgent?.slice(0, 500) ?? null,
    });
    await appendAudit(tx, {
      caller: { userId: u.id, displayName: u.displayName, roles, regionPath: region!.path },
      ip: req.ip,
      userAgent: req.userAgent,
      action: 'auth.login',
      targetType: 'user',
      targetId: u.id,
      outcome: 'success',
      statusCode: 200,
      detail: { username: u.username },
    });
  });
  markAudited();
  const view = await store.findUserView(db, u.id);
  return { token, expiresAt: expiresAt.toISOString(), user: presentUser(view!) };
}

export async function logout(ctx: Ctx): Promise<void> {
  await auditedChange(
    ctx,
    { targetType: 'session', targetId: () => ctx.caller.sessionId, scopePath: () => ctx.caller.regionPath, statusCode: 204 },
    (tx) => store.revokeSession(tx, ctx.caller.sessionId),
  );
}

export async function me(db: Db, caller: Caller) {
  const u = await store.findUserView(db, caller.userId);
  return {
    ...presentUser(u!),
    permissions: [...permissionsOf(caller.roles)].sort(),
    grantableRoles: [...grantableRoles(caller.roles)],
  };
}

export async function changeOwnPassword(ctx: Ctx, current: string, next: string): Promise<void> {
  const u = await store.findUser(ctx.db, ctx.caller.userId);
  if (!u || !(await verifyPassword(current, u.passwordHash))) throw problems.field('body.currentPassword', '当前密码不正确');
  const pp = passwordProblem(next);
  if (pp) throw problems.field('body.newPassword', pp);
  const hash = await hashPassword(next);
  await auditedChange(
    ctx,
    { targetType: 'user', targetId: () => u.id, scopePath: () => ctx.caller.regionPath, statusCode: 204 },
    async (tx) => {
      await store.patchUser(tx, u.id, { passwordHash: hash });
      // Other sessions end; this one stays.
      await store.revokeUserSessions(tx, u.id, ctx.caller.sessionId);
    },
  );
}

export async function listUsers(db: Db, caller: Caller, regionPath: string | null, q: string | undefined, page: number, pageSize: number) {
  const r = await store.listUsers(db, regionPath ?? caller.regionPath, q, pageSize, (page - 1) * pageSize);
  return { items: r.items.map(presentUser), total: r.total };
}

export async function userDetail(db: Db, id: string) {
  const u = await store.findUserView(db, id);
  if (!u) throw problems.notFound('用户');
  return presentUser(u);
}

export interface NewUser {
  username: string;
  password: string;
  displayName: string;
  roles: string[];
  regionId: string;
  phone?: string | null;
}

function checkRoles(caller: Caller, roles: string[], level: Level): FieldError[] {
  const errors: FieldError[] = [];
  const unknown = roles.filter((r) => !isRole(r));
  if (unknown.length) errors.push({ field: 'body.roles', message: `未知角色：${unknown.join('、')}` });
  if (roles.length === 0) errors.push({ field: 'body.roles', message: '至少需要一个角色' });
  for (const p of checkGrant(caller.roles, roles.filter(isRole), level)) {
    errors.push(
      p.kind === 'not-grantable'
        ? { field: 'body.roles', message: `无权授予角色「${ROLE_SPECS[p.role].label}」` }
        : { field: 'body.roles', message: `角色「${ROLE_SPECS[p.role].label}」只能绑定到${p.allowed.map(levelLabel).join('、')}级区划` },
    );
  }
  return errors;
}

const levelLabel = (l: Level) => ({ city: '市', district: '区', street: '街道', community: '社区', grid: '网格' })[l];

export async function createUser(ctx: Ctx, keys: DataKeys, input: NewUser) {
  const region = await findRegion(ctx.db, input.regionId);
  if (!region) throw problems.field('body.regionId', '区划不存在');
  const errors = checkRoles(ctx.caller, input.roles, region.level as Level);
  const pp = passwordProblem(input.password);
  if (pp) errors.push({ field: 'body.password', message: pp });
  checkPhone(input.phone, errors);
  if (errors.some((e) => e.message.startsWith('无权授予'))) throw problems.forbidden('不能授予超出本人权限的角色', errors);
  if (errors.length) throw problems.validation(errors);
  if (await store.findByUsername(ctx.db, input.username))
    throw problems.conflict('用户名已存在', [{ field: 'body.username', message: '用户名已存在' }]);
  const id = uuidv7();
  const passwordHash = await hashPassword(input.password);
  await auditedChange(
    ctx,
    {
      targetType: 'user',
      targetId: () => id,
      scopePath: () => region.path,
      detail: () => ({ username: input.username, roles: input.roles, regionId: region.id }),
      statusCode: 201,
    },
    async (tx) => {
      await store.insertUser(tx, {
        id,
        username: input.username,
        passwordHash,
        displayName: input.displayName,
        regionId: region.id,
        roles: input.roles,
        createdBy: ctx.caller.userId,
        ...phoneColumns(keys, input.phone ?? null),
      });
      await emit(tx, 'user.created', { userId: id, regionId: region.id, roles: input.roles });
    },
  );
  return userDetail(ctx.db, id);
}

export interface UserPatch {
  displayName?: string;
  roles?: string[];
  regionId?: string;
  status?: 'active' | 'disabled';
  password?: string;
  unlock?: boolean;
  phone?: string | null;
}

export async function updateUser(ctx: Ctx, keys: DataKeys, id: string, patch: UserPatch) {
  const u = await store.findUser(ctx.db, id);
  if (!u) throw problems.notFound('用户');
  const self = u.id === ctx.caller.userId;
  if (self && (patch.roles || patch.regionId || patch.status))
    throw problems.forbidden('不能修改本人的角色、所属区划或状态，请由上级管理员办理');
  if (self && patch.password !== undefined) throw problems.field('body.password', '修改本人密码请使用“修改密码”（需验证当前密码）');
  // Only someone who could have granted all of a user's roles may manage that user.
  const grantable = grantableRoles(ctx.caller.roles);
  if (!self && !u.roles.filter(isRole).every((r) => grantable.has(r as Role)))
    throw problems.forbidden('该用户拥有您无权授予的角色，不能由您修改');
  const region = patch.regionId ? await findRegion(ctx.db, patch.regionId) : await findRegion(ctx.db, u.regionId);
  if (!region) throw problems.field('body.regionId', '区划不存在');
  const errors: FieldError[] = [];
  if (patch.roles || patch.regionId) errors.push(...checkRoles(ctx.caller, patch.roles ?? u.roles, region.level as Level));
  if (patch.password !== undefined) {
    const pp = passwordProblem(patch.password);
    if (pp) errors.push({ field: 'body.password', message: pp });
  }
  checkPhone(patch.phone, errors);
  if (errors.some((e) => e.message.startsWith('无权授予'))) throw problems.forbidden('不能授予超出本人权限的角色', errors);
  if (errors.length) throw problems.validation(errors);
  const passwordHash = patch.password !== undefined ? await hashPassword(patch.password) : undefined;
  await auditedChange(
    ctx,
    {
      targetType: 'user',
      targetId: () => id,
      scopePath: () => region.path,
      detail: () => ({ changed: Object.keys(patch), before: { roles: u.roles, regionId: u.regionId, status: u.status } }),
    },
    async (tx) => {
      await store.patchUser(tx, id, {
        ...(patch.displayName !== undefined ? { displayName: patch.displayName } : {}),
        ...(patch.roles ? { roles: patch.roles } : {}),
        ...(patch.regionId ? { regionId: patch.regionId } : {}),
        ...(patch.status ? { status: patch.status } : {}),
        ...(passwordHash ? { passwordHash } : {}),
        ...(patch.phone !== undefined ? phoneColumns(keys, patch.phone) : {}),
      });
      if (patch.unlock) await store.clearThrottle(tx, u.username);
      // A change of power or a reset password ends the user's sessions.
      if (patch.roles || patch.regionId || patch.status === 'disabled' || passwordHash) await store.revokeUserSessions(tx, id);
      await emit(tx, 'user.updated', { userId: id, changed: Object.keys(patch) });
    },
  );
  return userDetail(ctx.db, id);
}

/** Anyone may set or clear their own mobile phone (answers show it masked). */
export async function updateOwnProfile(ctx: Ctx, keys: DataKeys, patch: { phone?: string | null }) {
  const errors: FieldError[] = [];
  checkPhone(patch.phone, errors);
  if (errors.length) throw problems.validation(errors);
  await auditedChange(
    ctx,
    {
      targetType: 'user',
      targetId: () => ctx.caller.userId,
      scopePath: () => ctx.caller.regionPath,
      detail: () => ({ changed: Object.keys(patch) }),
    },
    async (tx) => {
      if (patch.phone !== undefined) await store.patchUser(tx, ctx.caller.userId, phoneColumns(keys, patch.phone));
      await emit(tx, 'user.updated', { userId: ctx.caller.userId, changed: Object.keys(patch) });
    },
  );
  return me(ctx.db, ctx.caller);
}

/**
 * The full phone of an account, for administrators who may manage it (the same rule as changing it:
 * they could have granted all of its roles). Every call is audited.
 */
export async function revealUserPhone(ctx: Ctx, keys: DataKeys, id: string) {
  const u = await store.findUser(ctx.db, id);
  if (!u) throw problems.notFound('用户');
  const grantable = grantableRoles(ctx.caller.roles);
  if (u.id !== ctx.caller.userId && !u.roles.filter(isRole).every((r) => grantable.has(r as Role)))
    throw problems.forbidden('该用户拥有您无权授予的角色，不能查看其完整手机号码');
  const path = (await store.userRegionPath(ctx.db, id))!;
  return auditedChange(
    ctx,
    { targetType: 'user', targetId: () => id, scopePath: () => path, detail: () => ({ fields: ['phone'] }) },
    async () => ({ phone: u.phoneEnc ? decrypt(keys, u.phoneEnc, PHONE_CTX) : null }),
  );
}

/** First start: the city-level `admin` account. Returns the generated password when none was given. */
export async function ensureAdmin(db: Db, cityRegionId: string, password: string | undefined): Promise<string | null> {
  if (await store.findByUsername(db, 'admin')) return null;
  const generated = password ? null : randomBytes(12).toString('base64url') + 'A1!';
  await store.insertUser(db, {
    id: uuidv7(),
    username: 'admin',
    passwordHash: await hashPassword(password ?? generated!),
    displayName: '系统管理员',
    regionId: cityRegionId,
    roles: ['city_admin'],
  });
  return generated;
}

/** Display names of active accounts holding `role` bound exactly to `regionId` (e.g. a grid's grid workers). */
export async function namesWithRole(db: Db, regionId: string, role: Role): Promise<string[]> {
  return store.namesWithRole(db, regionId, role);
}

/** Name, region and roles of accounts, for modules that show who did something or check membership. */
export async function userBriefs(db: Executor, ids: string[]) {
  return store.userBriefs(db, ids);
}

/** The register entry a resident's account stands for, if linked. */
export async function residentOfUser(db: Executor, userId: string): Promise<string | null> {
  const u = await store.findUser(db, userId);
  return u?.residentId ?? null;
}
