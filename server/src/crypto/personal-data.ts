// Personal data (ID numbers, phone numbers) at rest: encrypted with AES-256-GCM under a key from the
// environment, found by a keyed hash (blind index) instead of by decrypting, and masked in responses
// by the caller unless it may see the value.
//
// Keys: one 32-byte master key (JIAYUAN_DATA_KEY) from which HKDF-SHA256 derives an encryption subkey
// and a blind-index subkey, once, when the keys are loaded. Older master keys listed in
// JIAYUAN_DATA_KEY_PREVIOUS are kept for decryption only, so the key can be rotated: values made
// under an old key still decrypt, `needsReencrypt` finds them, and a rotation job rewrites them.
//
// Stored blob: version (1 byte, = 1) | key id (4) | iv (12) | GCM tag (16) | ciphertext.
// The additional authenticated data is version | key id | context, so changing any byte of the blob,
// or reading it under a different context (another column), fails authentication.
import { randomInto } from '../db/ids.js';
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  createSecretKey,
  hkdfSync,
  randomBytes,
  type KeyObject,
} from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export const DATA_KEY_ENV = 'JIAYUAN_DATA_KEY';
export const PREVIOUS_DATA_KEYS_ENV = 'JIAYUAN_DATA_KEY_PREVIOUS';
/** Name of the generated key file inside the data directory (used only when JIAYUAN_DATA_KEY is unset). */
export const DATA_KEY_FILE = 'data-key';

const VERSION = 1;
const MASTER_KEY_BYTES = 32;
const KEY_ID_BYTES = 4;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = 1 + KEY_ID_BYTES; // version | key id: authenticated as part of the AAD
const PREFIX_BYTES = HEADER_BYTES + IV_BYTES + TAG_BYTES;

const INFO_ENCRYPT = 'jiayuan/v1/encrypt';
const INFO_BLIND_INDEX = 'jiayuan/v1/blind-index';

/**
 * Loaded data keys. Opaque: the key material is held outside the object, so logging or serialising
 * it shows only the key ids.
 */
export interface DataKeys {
  /** Id (8 hex chars) of the current encryption key; new values are encrypted under it. */
  readonly keyId: string;
  /** Ids of the previous keys, which are used only to decrypt. */
  readonly previousKeyIds: readonly string[];
  /** Where the current master key came from. */
  readonly source: 'env' | 'generated-file';
}

interface Secrets {
  /** Current encryption key; its id is `currentId`. */
  encKey: KeyObject;
  currentId: number;
  blindKey: KeyObject;
  /** Blind-index subkeys of the previous keys, in the order they are listed (lookups during a rotation). */
  previousBlindKeys: KeyObject[];
  /** Every key that may decrypt (current and previous), by key id as a uint32. */
  decryptKeys: Map<number, KeyObject>;
}

const secrets = new WeakMap<DataKeys, Secrets>();

function secretsOf(keys: DataKeys): Secrets {
  const s = secrets.get(keys);
  if (!s) throw new Error('personal-data: keys were not created by loadDataKeys');
  return s;
}

export interface LoadDataKeysOptions {
  env: NodeJS.ProcessEnv;
  /** Directory for the generated key file `data-key` when JIAYUAN_DATA_KEY is unset. */
  dataDir: string;
  /**
   * Whether a missing JIAYUAN_DATA_KEY may fall back to a key generated into `<dataDir>/data-key`
   * (for local runs with embedded defaults). When false and the variable is unset, loading throws.
   */
  allowGenerated: boolean;
  /** Receives the warning about the generated key; defaults to console.warn. */
  log?: (m: string) => void;
}

const KEY_FORMAT = `32 bytes, given as 64 hex characters or as base64/base64url (43 characters, or 44 with "=" padding)`;

/** Parses a 32-byte key written as hex, base64 or base64url; returns null for anything else. */
function parseMasterKey(raw: string): Buffer | null {
  const s = raw.trim();
  if (/^[0-9a-fA-F]{64}$/.test(s)) return Buffer.from(s, 'hex');
  const standard = /^[A-Za-z0-9+/]{43}=?$/.test(s);
  const url = /^[A-Za-z0-9_-]{43}=?$/.test(s);
  if (!standard && !url) return null;
  const bytes = Buffer.from(s, standard ? 'base64' : 'base64url');
  // Reject non-canonical encodings (stray low bits in the last character): the text must be exactly
  // one key, not one of four spellings of it.
  const again = bytes.toString(standard ? 'base64' : 'base64url').replace(/=+$/, '');
  if (bytes.length !== MASTER_KEY_BYTES || again !== s.replace(/=+$/, '')) return null;
  return bytes;
}

function describeLength(raw: string): string {
  return `got ${raw.trim().length} characters`; // never echo the value: it is a secret
}

function derive(master: Buffer, info: string): Buffer {
  return Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), info, 32));
}

function keyIdOf(encSubkey: Buffer): number {
  return createHash('sha256').update(encSubkey).digest().readUInt32BE(0);
}

function hexId(id: number): string {
  return id.toString(16).padStart(KEY_ID_BYTES * 2, '0');
}

/** Reads `<dataDir>/data-key`, creating it (32 random bytes, base64, mode 0600) if it does not exist. */
function loadOrCreateKeyFile(dataDir: string): { key: Buffer; file: string; created: boolean; looseMode: boolean } {
  const file = path.join(dataDir, DATA_KEY_FILE);
  let created = false;
  if (!fs.existsSync(file)) {
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    // Write a temporary file and hard-link it into place: the link is atomic and fails if another
    // process created the key first, so no process can ever use a key that then gets overwritten,
    // and a crash never leaves a half-written key file behind.
    const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    const fd = fs.openSync(tmp, 'wx', 0o600);
    try {
      fs.writeSync(fd, randomBytes(MASTER_KEY_BYTES).toString('base64') + '\n');
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    try {
      fs.linkSync(tmp, file);
      created = true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    } finally {
      fs.rmSync(tmp, { force: true });
    }
  }
  const key = parseMasterKey(fs.readFileSync(file, 'utf8'));
  if (!key) {
    throw new Error(
      `${file} does not hold a valid data key (${KEY_FORMAT}). Restore it from a backup or set ${DATA_KEY_ENV}; ` +
        'do not delete it, or personal data encrypted under it can no longer be read.',
    );
  }
  const looseMode = process.platform !== 'win32' && (fs.statSync(file).mode & 0o077) !== 0;
  return { key, file, created, looseMode };
}

/**
 * Loads the master key (JIAYUAN_DATA_KEY, or the generated key file when allowed) and the previous
 * keys (JIAYUAN_DATA_KEY_PREVIOUS, comma-separated), and derives the subkeys once.
 * Throws an Error naming the variable when a key is malformed.
 */
export function loadDataKeys(opts: LoadDataKeysOptions): DataKeys {
  const log = opts.log ?? ((m: string) => console.warn(m));
  const raw = opts.env[DATA_KEY_ENV]?.trim();

  let master: Buffer;
  let source: DataKeys['source'];
  if (raw) {
    const parsed = parseMasterKey(raw);
    if (!parsed) throw new Error(`${DATA_KEY_ENV} must be ${KEY_FORMAT}; ${describeLength(raw)}`);
    master = parsed;
    source = 'env';
  } else {
    if (!opts.allowGenerated) {
      throw new Error(
        `${DATA_KEY_ENV} is not set. It must hold the key that encrypts personal data at rest (${KEY_FORMAT}); ` +
          `generate one with: node -e "console.log(require('crypto').randomBytes(32).toString('hex'))"`,
      );
    }
    const { key, file, created, looseMode } = loadOrCreateKeyFile(opts.dataDir);
    master = key;
    source = 'generated-file';
    log(
      `${DATA_KEY_ENV} is not set: personal data is encrypted with the ${created ? 'newly generated' : 'generated'} key in ${file}. ` +
        `Production must set ${DATA_KEY_ENV} (to move off this file, put its contents in ${PREVIOUS_DATA_KEYS_ENV}). ` +
        'Back the key up: without it, encrypted personal data cannot be read.' +
        (looseMode ? ` Warning: ${file} is readable by other users; chmod 600 it.` : ''),
    );
  }

  const encSub = derive(master, INFO_ENCRYPT);
  const currentId = keyIdOf(encSub);
  const encKey = createSecretKey(encSub);
  const decryptKeys = new Map<number, KeyObject>([[currentId, encKey]]);
  const previousKeyIds: string[] = [];
  const previousBlindKeys: KeyObject[] = [];

  const entries = (opts.env[PREVIOUS_DATA_KEYS_ENV] ?? '').split(',');
  entries.forEach((entry, i) => {
    if (entry.trim() === '') return; // tolerate empty values and trailing commas
    const prev = parseMasterKey(entry);
    if (!prev) throw new Error(`${PREVIOUS_DATA_KEYS_ENV} entry ${i + 1}: each key must be ${KEY_FORMAT}; ${describeLength(entry)}`);
    if (prev.equals(master)) return; // the current key, listed again during a rotation
    const sub = derive(prev, INFO_ENCRYPT);
    const id = keyIdOf(sub);
    if (decryptKeys.has(id)) {
      if (previousKeyIds.includes(hexId(id))) return; // the same previous key listed twice
      // Two different keys with the same 32-bit id (chance ~2^-32): blobs would be ambiguous.
      throw new Error(`${PREVIOUS_DATA_KEYS_ENV} entry ${i + 1} has the same key id as another key; use a different key`);
    }
    decryptKeys.set(id, createSecretKey(sub));
    previousKeyIds.push(hexId(id));
    previousBlindKeys.push(createSecretKey(derive(prev, INFO_BLIND_INDEX)));
  });

  const keys: DataKeys = Object.freeze({ keyId: hexId(currentId), previousKeyIds: Object.freeze(previousKeyIds), source });
  secrets.set(keys, { encKey, currentId, blindKey: createSecretKey(derive(master, INFO_BLIND_INDEX)), previousBlindKeys, decryptKeys });
  return keys;
}

function checkLabel(what: string, label: string): void {
  if (typeof label !== 'string' || label === '') throw new Error(`personal-data: ${what} must be a non-empty string`);
}

// In unicode mode a surrogate pair is one code point, so this matches only unpaired surrogates,
// which UTF-8 cannot represent (they would silently come back as U+FFFD).
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

function aad(header: Buffer, context: string): Buffer {
  return Buffer.concat([header, Buffer.from(context, 'utf8')]);
}

/**
 * Encrypts `plaintext` for the column named by `context` (e.g. 'resident.id_number') under the
 * current key. Every call uses a fresh random IV, so equal values give different blobs.
 */
export function encrypt(keys: DataKeys, plaintext: string, context: string): Buffer {
  const s = secretsOf(keys);
  checkLabel('context', context);
  if (LONE_SURROGATE.test(plaintext)) throw new Error('personal-data: plaintext is not well-formed Unicode (unpaired surrogate)');
  const data = Buffer.from(plaintext, 'utf8');
  const out = Buffer.allocUnsafe(PREFIX_BYTES + data.length);
  out.writeUInt8(VERSION, 0);
  out.writeUInt32BE(s.currentId, 1);
  const iv = Buffer.allocUnsafe(IV_BYTES);
  randomInto(iv, 0, IV_BYTES); // from the CSPRNG, each byte used once
  iv.copy(out, HEADER_BYTES);
  const cipher = createCipheriv('aes-256-gcm', s.encKey, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad(out.subarray(0, HEADER_BYTES), context));
  const c1 = cipher.update(data);
  const c2 = cipher.final();
  c1.copy(out, PREFIX_BYTES);
  c2.copy(out, PREFIX_BYTES + c1.length);
  cipher.getAuthTag().copy(out, HEADER_BYTES + IV_BYTES);
  return out;
}

/** Checks the header of a blob and returns the key id it names (throws if malformed). */
function readHeader(blob: Buffer): number {
  if (!Buffer.isBuffer(blob) || blob.length < PREFIX_BYTES) {
    throw new Error(`personal-data: cannot decrypt: the value is not an encrypted blob (too short)`);
  }
  const version = blob.readUInt8(0);
  if (version !== VERSION) throw new Error(`personal-data: cannot decrypt: unsupported format version ${version}`);
  return blob.readUInt32BE(1);
}

/**
 * Decrypts a blob made by `encrypt` with the same `context`, using the current or a previous key
 * as named by the blob's key id. Throws if the blob was altered, belongs to another context, or was
 * made with a key that is not loaded.
 */
export function decrypt(keys: DataKeys, blob: Buffer, context: string): string {
  const s = secretsOf(keys);
  checkLabel('context', context);
  const id = readHeader(blob);
  const key = s.decryptKeys.get(id);
  if (!key) {
    throw new Error(
      `personal-data: cannot decrypt: the value was encrypted with key ${hexId(id)}, which is not loaded ` +
        `(current ${hexId(s.currentId)}; list older keys in ${PREVIOUS_DATA_KEYS_ENV})`,
    );
  }
  const iv = blob.subarray(HEADER_BYTES, HEADER_BYTES + IV_BYTES);
  const tag = blob.subarray(HEADER_BYTES + IV_BYTES, PREFIX_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(aad(blob.subarray(0, HEADER_BYTES), context));
  decipher.setAuthTag(tag);
  const p1 = decipher.update(blob.subarray(PREFIX_BYTES));
  let p2: Buffer;
  try {
    p2 = decipher.final();
  } catch {
    throw new Error(`personal-data: cannot decrypt: authentication failed (the value was altered, or does not belong to "${context}")`);
  }
  return p2.length === 0 ? p1.toString('utf8') : Buffer.concat([p1, p2]).toString('utf8');
}

/** Id (8 hex characters) of the key a blob was made with, as in `DataKeys.keyId` (throws if malformed). */
export function blobKeyId(blob: Buffer): string {
  return hexId(readHeader(blob));
}

/**
 * Whether a blob was made with a previous key and should be re-encrypted under the current one
 * (a rotation job must recompute blind indexes at the same time: they also change with the key).
 * Throws, like `decrypt`, if the blob is malformed or its key is not loaded at all.
 */
export function needsReencrypt(keys: DataKeys, blob: Buffer): boolean {
  const s = secretsOf(keys);
  const id = readHeader(blob);
  if (id === s.currentId) return false;
  if (s.decryptKeys.has(id)) return true;
  throw new Error(`personal-data: the value was encrypted with key ${hexId(id)}, which is not loaded`);
}

function checkIndexInput(kind: string, normalisedValue: string): void {
  checkLabel('kind', kind);
  // A NUL inside the kind would make (kind, value) pairs ambiguous across the separator.
  if (kind.includes('\0')) throw new Error('personal-data: kind must not contain NUL');
  if (LONE_SURROGATE.test(normalisedValue)) throw new Error('personal-data: value is not well-formed Unicode (unpaired surrogate)');
}

function hmacIndex(key: KeyObject, kind: string, normalisedValue: string): string {
  return createHmac('sha256', key).update(kind, 'utf8').update('\0', 'utf8').update(normalisedValue, 'utf8').digest('hex');
}

/**
 * Keyed hash for exact-match lookup without decrypting: HMAC-SHA256(blind-index subkey,
 * kind + '\0' + value), as 64 hex characters. Deterministic for one master key; different kinds
 * ('id_number', 'phone') give unrelated indexes for the same value. The caller normalises the value
 * (e.g. trims, upper-cases the ID check letter) so that equal values hash equally.
 * This is the index to write: new and rewritten rows always carry the current key's index.
 */
export function blindIndex(keys: DataKeys, kind: string, normalisedValue: string): string {
  const s = secretsOf(keys);
  checkIndexInput(kind, normalisedValue);
  return hmacIndex(s.blindKey, kind, normalisedValue);
}

/**
 * The blind indexes of a value under the current key and then each previous key, for lookups and
 * duplicate checks (`index = any(...)`): until the rotation job (crypto/rotate.ts) has rewritten
 * every row, a row may still carry the index of a previous key. Without previous keys, one element,
 * equal to `blindIndex`.
 */
export function blindIndexes(keys: DataKeys, kind: string, normalisedValue: string): string[] {
  const s = secretsOf(keys);
  checkIndexInput(kind, normalisedValue);
  const out = [hmacIndex(s.blindKey, kind, normalisedValue)];
  for (const k of s.previousBlindKeys) out.push(hmacIndex(k, kind, normalisedValue));
  return out;
}
