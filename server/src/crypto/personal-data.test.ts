import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { blindIndex, blindIndexes, blobKeyId, decrypt, encrypt, loadDataKeys, needsReencrypt, type DataKeys } from './personal-data.js';

const KEY_A = randomBytes(32);
const KEY_B = randomBytes(32);
const KEY_C = randomBytes(32);

const tmpDirs: string[] = [];
function tmpDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'jiayuan-keys-'));
  tmpDirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true });
});

function keysFrom(env: NodeJS.ProcessEnv): DataKeys {
  return loadDataKeys({ env, dataDir: '/nonexistent/must-not-be-used', allowGenerated: false, log: () => {} });
}

const keys = keysFrom({ JIAYUAN_DATA_KEY: KEY_A.toString('hex') });
const CTX = 'resident.id_number';

const unicode = fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary-ascii' }));

describe('encrypt / decrypt', () => {
  it('round-trips arbitrary unicode strings', () => {
    fc.assert(
      fc.property(unicode, (s) => {
        expect(decrypt(keys, encrypt(keys, s, CTX), CTX)).toBe(s);
      }),
      { numRuns: 500 },
    );
    for (const s of ['', '11010519491231002X', '138 0013 8000', '张三丰', '👨‍👩‍👧‍👦 a\0b']) {
      expect(decrypt(keys, encrypt(keys, s, CTX), CTX)).toBe(s);
    }
  });

  it('never contains the plaintext bytes', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary-ascii', minLength: 4, maxLength: 200 }), (s) => {
        const blob = encrypt(keys, s, CTX);
        expect(blob.includes(Buffer.from(s, 'utf8'))).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it('has the documented layout: version 1 | key id | iv | tag | ciphertext', () => {
    const blob = encrypt(keys, 'abc', CTX);
    expect(blob.length).toBe(1 + 4 + 12 + 16 + 3);
    expect(blob[0]).toBe(1);
    expect(blob.subarray(1, 5).toString('hex')).toBe(keys.keyId);
  });

  it('gives different blobs (and IVs) for two encryptions of the same value', () => {
    const a = encrypt(keys, '11010519491231002X', CTX);
    const b = encrypt(keys, '11010519491231002X', CTX);
    expect(a.equals(b)).toBe(false);
    expect(a.subarray(5, 17).equals(b.subarray(5, 17))).toBe(false);
  });

  it('throws when any byte of the blob is changed', () => {
    const plain = '11010519491231002X';
    const blob = encrypt(keys, plain, CTX);
    // Every position, one bit flip each (covers version, key id, iv, tag and ciphertext)...
    for (let i = 0; i < blob.length; i++) {
      const bad = Buffer.from(blob);
      bad[i]! ^= 0x01;
      expect(() => decrypt(keys, bad, CTX), `byte ${i}`).toThrow(/cannot decrypt/);
    }
    // ...and arbitrary changes at arbitrary positions.
    fc.assert(
      fc.property(fc.nat({ max: blob.length - 1 }), fc.integer({ min: 1, max: 255 }), (i, mask) => {
        const bad = Buffer.from(blob);
        bad[i]! ^= mask;
        expect(() => decrypt(keys, bad, CTX)).toThrow(/cannot decrypt/);
      }),
    );
    expect(decrypt(keys, blob, CTX)).toBe(plain); // the original is untouched
  });

  it('throws for truncated, extended or foreign blobs', () => {
    const blob = encrypt(keys, 'hello', CTX);
    expect(() => decrypt(keys, blob.subarray(0, blob.length - 1), CTX)).toThrow(/authentication failed/);
    expect(() => decrypt(keys, Buffer.concat([blob, Buffer.from([0])]), CTX)).toThrow(/authentication failed/);
    expect(() => decrypt(keys, blob.subarray(0, 32), CTX)).toThrow(/too short/);
    expect(() => decrypt(keys, Buffer.alloc(0), CTX)).toThrow(/too short/);
  });

  it('throws when decrypted under a different context', () => {
    const blob = encrypt(keys, '13800138000', 'resident.phone');
    expect(() => decrypt(keys, blob, 'resident.id_number')).toThrow(/does not belong to "resident.id_number"/);
    expect(() => decrypt(keys, blob, 'resident.phone ')).toThrow(/authentication failed/);
    expect(decrypt(keys, blob, 'resident.phone')).toBe('13800138000');
    expect(() => encrypt(keys, 'x', '')).toThrow(/context/);
  });

  it('throws under a different key, naming the key id', () => {
    const other = keysFrom({ JIAYUAN_DATA_KEY: KEY_B.toString('hex') });
    const blob = encrypt(keys, 'secret', CTX);
    expect(() => decrypt(other, blob, CTX)).toThrow(new RegExp(`key ${keys.keyId}, which is not loaded`));
  });

  it('rejects strings that UTF-8 cannot represent instead of corrupting them', () => {
    expect(() => encrypt(keys, 'a\uD800b', CTX)).toThrow(/unpaired surrogate/);
    expect(() => encrypt(keys, '\uDC00', CTX)).toThrow(/unpaired surrogate/);
    expect(decrypt(keys, encrypt(keys, '\uD83D\uDE00', CTX), CTX)).toBe('😀');
  });
});

describe('key rotation', () => {
  const oldKeys = keysFrom({ JIAYUAN_DATA_KEY: KEY_A.toString('hex') });
  const oldBlob = encrypt(oldKeys, '11010519491231002X', CTX);

  it('decrypts a blob made under a previous key and flags it for re-encryption', () => {
    const rotated = keysFrom({
      JIAYUAN_DATA_KEY: KEY_B.toString('base64'),
      JIAYUAN_DATA_KEY_PREVIOUS: ` ${KEY_C.toString('hex')} , ${KEY_A.toString('base64url')},`,
    });
    expect(rotated.keyId).not.toBe(oldKeys.keyId);
    expect(rotated.previousKeyIds).toContain(oldKeys.keyId);
    expect(decrypt(rotated, oldBlob, CTX)).toBe('11010519491231002X');
    expect(needsReencrypt(rotated, oldBlob)).toBe(true);

    const fresh = encrypt(rotated, '11010519491231002X', CTX);
    expect(fresh.subarray(1, 5).toString('hex')).toBe(rotated.keyId);
    expect(needsReencrypt(rotated, fresh)).toBe(false);
    expect(needsReencrypt(oldKeys, oldBlob)).toBe(false);
    // The old key alone cannot read what the new key wrote.
    expect(() => decrypt(oldKeys, fresh, CTX)).toThrow(/not loaded/);
  });

  it('names the key a blob was made with', () => {
    const rotated = keysFrom({ JIAYUAN_DATA_KEY: KEY_B.toString('hex'), JIAYUAN_DATA_KEY_PREVIOUS: KEY_A.toString('hex') });
    expect(blobKeyId(oldBlob)).toBe(oldKeys.keyId);
    expect(blobKeyId(encrypt(rotated, 'x', CTX))).toBe(rotated.keyId);
    expect(() => blobKeyId(Buffer.from('short'))).toThrow(/too short/);
  });

  it('fails when the old key is not listed', () => {
    const rotated = keysFrom({ JIAYUAN_DATA_KEY: KEY_B.toString('hex'), JIAYUAN_DATA_KEY_PREVIOUS: KEY_C.toString('hex') });
    expect(() => decrypt(rotated, oldBlob, CTX)).toThrow(/not loaded.*JIAYUAN_DATA_KEY_PREVIOUS/);
    expect(() => needsReencrypt(rotated, oldBlob)).toThrow(/not loaded/);
  });

  it('still checks integrity of blobs under a previous key', () => {
    const rotated = keysFrom({ JIAYUAN_DATA_KEY: KEY_B.toString('hex'), JIAYUAN_DATA_KEY_PREVIOUS: KEY_A.toString('hex') });
    const bad = Buffer.from(oldBlob);
    bad[bad.length - 1]! ^= 0x80;
    expect(() => decrypt(rotated, bad, CTX)).toThrow(/authentication failed/);
    expect(() => decrypt(rotated, oldBlob, 'resident.phone')).toThrow(/authentication failed/);
  });

  it('ignores the current key or a duplicate listed as previous', () => {
    const k = keysFrom({
      JIAYUAN_DATA_KEY: KEY_A.toString('hex'),
      JIAYUAN_DATA_KEY_PREVIOUS: [KEY_A.toString('hex'), KEY_B.toString('hex'), KEY_B.toString('base64')].join(','),
    });
    expect(k.previousKeyIds).toHaveLength(1);
    expect(needsReencrypt(k, oldBlob)).toBe(false);
  });

  it('rejects a malformed previous key, naming JIAYUAN_DATA_KEY_PREVIOUS', () => {
    expect(() => keysFrom({ JIAYUAN_DATA_KEY: KEY_A.toString('hex'), JIAYUAN_DATA_KEY_PREVIOUS: `${KEY_B.toString('hex')},abc` })).toThrow(
      /JIAYUAN_DATA_KEY_PREVIOUS entry 2/,
    );
  });
});

describe('blind index', () => {
  it('is equal for equal inputs, also across loads of the same key', () => {
    const again = keysFrom({ JIAYUAN_DATA_KEY: KEY_A.toString('base64') });
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), unicode, (kind, v) => {
        fc.pre(!kind.includes('\0'));
        const a = blindIndex(keys, kind, v);
        expect(a).toMatch(/^[0-9a-f]{64}$/);
        expect(blindIndex(keys, kind, v)).toBe(a);
        expect(blindIndex(again, kind, v)).toBe(a);
      }),
    );
  });

  it('differs for different values', () => {
    fc.assert(
      fc.property(unicode, unicode, (a, b) => {
        fc.pre(a !== b);
        expect(blindIndex(keys, 'id_number', a)).not.toBe(blindIndex(keys, 'id_number', b));
      }),
    );
    expect(blindIndex(keys, 'phone', '13800138000')).not.toBe(blindIndex(keys, 'phone', '13800138001'));
  });

  it('differs for different kinds, including shifts across the separator', () => {
    fc.assert(
      fc.property(unicode, (v) => {
        expect(blindIndex(keys, 'id_number', v)).not.toBe(blindIndex(keys, 'phone', v));
      }),
    );
    expect(blindIndex(keys, 'ab', 'c')).not.toBe(blindIndex(keys, 'a', 'bc'));
    expect(() => blindIndex(keys, 'a\0b', 'c')).toThrow(/NUL/);
    expect(() => blindIndex(keys, '', 'c')).toThrow(/kind/);
  });

  it('differs for different keys, and ignores previous keys', () => {
    const b = keysFrom({ JIAYUAN_DATA_KEY: KEY_B.toString('hex') });
    const bWithA = keysFrom({ JIAYUAN_DATA_KEY: KEY_B.toString('hex'), JIAYUAN_DATA_KEY_PREVIOUS: KEY_A.toString('hex') });
    fc.assert(
      fc.property(unicode, (v) => {
        expect(blindIndex(b, 'phone', v)).not.toBe(blindIndex(keys, 'phone', v));
        expect(blindIndex(bWithA, 'phone', v)).toBe(blindIndex(b, 'phone', v));
      }),
    );
  });

  it("during a rotation: the current key's index first, then each previous key's, in the order listed", () => {
    const a = keys;
    const c = keysFrom({ JIAYUAN_DATA_KEY: KEY_C.toString('hex') });
    const b = keysFrom({ JIAYUAN_DATA_KEY: KEY_B.toString('hex') });
    const bWithCA = keysFrom({
      JIAYUAN_DATA_KEY: KEY_B.toString('hex'),
      JIAYUAN_DATA_KEY_PREVIOUS: `${KEY_C.toString('hex')},${KEY_A.toString('hex')},${KEY_B.toString('hex')}`,
    });
    fc.assert(
      fc.property(unicode, (v) => {
        expect(blindIndexes(bWithCA, 'phone', v)).toEqual([
          blindIndex(b, 'phone', v),
          blindIndex(c, 'phone', v),
          blindIndex(a, 'phone', v),
        ]);
        expect(blindIndexes(b, 'phone', v)).toEqual([blindIndex(b, 'phone', v)]);
      }),
    );
    expect(() => blindIndexes(bWithCA, 'a\0b', 'c')).toThrow(/NUL/);
  });

  it('is not a plain hash of the value', () => {
    const v = '13800138000';
    const idx = blindIndex(keys, 'phone', v);
    expect(idx).not.toContain(v);
    expect(idx).not.toBe(Buffer.from(v).toString('hex'));
  });
});

describe('loadDataKeys', () => {
  const same = (k: DataKeys) => [k.keyId, blindIndex(k, 'phone', '13800138000')];

  it('accepts hex, base64 and base64url forms of the same key', () => {
    const bytes = Buffer.from('fbff' + '00'.repeat(28) + 'ffbf', 'hex'); // has +/ in base64, -_ in base64url
    const forms = [
      bytes.toString('hex'),
      bytes.toString('hex').toUpperCase(),
      bytes.toString('base64'),
      bytes.toString('base64').replace(/=$/, ''),
      bytes.toString('base64url'),
      `  ${bytes.toString('hex')}\n`,
    ];
    expect(forms[2]).toMatch(/[+/]/);
    expect(forms[4]).toMatch(/[-_]/);
    const expected = same(keysFrom({ JIAYUAN_DATA_KEY: forms[0] }));
    for (const f of forms) {
      const k = keysFrom({ JIAYUAN_DATA_KEY: f });
      expect(same(k), JSON.stringify(f)).toEqual(expected);
      expect(k.source).toBe('env');
    }
    const blob = encrypt(keysFrom({ JIAYUAN_DATA_KEY: forms[2] }), 'x', CTX);
    expect(decrypt(keysFrom({ JIAYUAN_DATA_KEY: forms[4] }), blob, CTX)).toBe('x');
  });

  it('rejects bad lengths and formats with a message naming JIAYUAN_DATA_KEY, without echoing the value', () => {
    const bad = [
      randomBytes(31).toString('hex'),
      randomBytes(33).toString('hex'),
      randomBytes(32).toString('hex').slice(1),
      randomBytes(31).toString('base64'),
      randomBytes(33).toString('base64'),
      randomBytes(16).toString('base64'),
      randomBytes(64).toString('base64'),
      'g'.repeat(64),
      KEY_A.toString('base64').replace(/.(=?)$/, '!$1'),
      KEY_A.toString('base64').slice(0, 20) + '-' + KEY_A.toString('base64').slice(21, 43) + '+', // mixed alphabets
      'changeme',
    ];
    for (const v of bad) {
      let message = '';
      try {
        keysFrom({ JIAYUAN_DATA_KEY: v });
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message, v).toMatch(/^JIAYUAN_DATA_KEY must be 32 bytes/);
      expect(message).not.toContain(v);
    }
  });

  it('rejects a non-canonical base64 spelling', () => {
    const b64 = KEY_A.toString('base64url'); // 43 chars: the last one carries 2 unused bits
    const last = b64.at(-1)!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const tweaked = b64.slice(0, -1) + alphabet[alphabet.indexOf(last) ^ 1];
    expect(Buffer.from(tweaked, 'base64url').equals(KEY_A)).toBe(true); // Node would silently accept it
    expect(() => keysFrom({ JIAYUAN_DATA_KEY: tweaked })).toThrow(/JIAYUAN_DATA_KEY/);
  });

  it('throws when unset and a generated key is not allowed, without creating a file', () => {
    const dir = tmpDir();
    for (const env of [{}, { JIAYUAN_DATA_KEY: '' }, { JIAYUAN_DATA_KEY: '  ' }]) {
      expect(() => loadDataKeys({ env, dataDir: dir, allowGenerated: false, log: () => {} })).toThrow(/JIAYUAN_DATA_KEY is not set/);
    }
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('creates a key file with mode 0600 when unset, warns once per load, and reuses it', () => {
    const dir = path.join(tmpDir(), 'nested', 'data');
    const logs: string[] = [];
    const first = loadDataKeys({ env: {}, dataDir: dir, allowGenerated: true, log: (m) => logs.push(m) });
    const file = path.join(dir, 'data-key');
    expect(first.source).toBe('generated-file');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const content = fs.readFileSync(file, 'utf8');
    expect(Buffer.from(content.trim(), 'base64')).toHaveLength(32);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toContain('JIAYUAN_DATA_KEY');
    expect(logs[0]).toContain(file);
    expect(logs[0]).not.toContain(content.trim());
    expect(fs.readdirSync(dir)).toEqual(['data-key']); // no temporary files left behind

    const blob = encrypt(first, '11010519491231002X', CTX);
    const second = loadDataKeys({ env: {}, dataDir: dir, allowGenerated: true, log: (m) => logs.push(m) });
    expect(logs).toHaveLength(2);
    expect(fs.readFileSync(file, 'utf8')).toBe(content);
    expect(same(second)).toEqual(same(first));
    expect(decrypt(second, blob, CTX)).toBe('11010519491231002X');

    // The file's content is an ordinary key: it works as JIAYUAN_DATA_KEY_PREVIOUS after moving to an env key.
    const moved = keysFrom({ JIAYUAN_DATA_KEY: KEY_B.toString('hex'), JIAYUAN_DATA_KEY_PREVIOUS: content.trim() });
    expect(decrypt(moved, blob, CTX)).toBe('11010519491231002X');
    expect(needsReencrypt(moved, blob)).toBe(true);
  });

  it('prefers JIAYUAN_DATA_KEY over the key file, without warning', () => {
    const dir = tmpDir();
    loadDataKeys({ env: {}, dataDir: dir, allowGenerated: true, log: () => {} });
    const logs: string[] = [];
    const k = loadDataKeys({
      env: { JIAYUAN_DATA_KEY: KEY_A.toString('hex') },
      dataDir: dir,
      allowGenerated: true,
      log: (m) => logs.push(m),
    });
    expect(same(k)).toEqual(same(keys));
    expect(logs).toEqual([]);
  });

  it('refuses a corrupt key file instead of replacing it', () => {
    const dir = tmpDir();
    const file = path.join(dir, 'data-key');
    fs.writeFileSync(file, 'not a key\n', { mode: 0o600 });
    expect(() => loadDataKeys({ env: {}, dataDir: dir, allowGenerated: true, log: () => {} })).toThrow(/does not hold a valid data key/);
    expect(fs.readFileSync(file, 'utf8')).toBe('not a key\n');
  });

  it('keeps key material out of the keys object', () => {
    const s = JSON.stringify(keys) + String(Object.values(keys));
    expect(s).not.toContain(KEY_A.toString('hex'));
    expect(Object.keys(keys).sort()).toEqual(['keyId', 'previousKeyIds', 'source']);
    expect(() => encrypt({ keyId: keys.keyId, previousKeyIds: [], source: 'env' }, 'x', CTX)).toThrow(/not created by loadDataKeys/);
  });
});
