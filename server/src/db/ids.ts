import { randomBytes } from 'node:crypto';

// Random bytes drawn from the OS in blocks rather than per id (randomBytes per call dominated the
// cost of ids when importing ledgers of 100,000 rows).
const POOL_SIZE = 4096;
let pool = randomBytes(POOL_SIZE);
let poolOffset = 0;

export function randomInto(target: Buffer, offset: number, length: number): void {
  if (poolOffset + length > POOL_SIZE) {
    pool = randomBytes(POOL_SIZE);
    poolOffset = 0;
  }
  pool.copy(target, offset, poolOffset, poolOffset + length);
  // Every pooled byte is used once.
  pool.fill(0, poolOffset, poolOffset + length);
  poolOffset += length;
}

let lastMs = 0;
let counter = 0;

/**
 * UUIDv7 (RFC 9562): 48-bit Unix milliseconds, then a 12-bit counter that keeps ids made within
 * one millisecond in order, then random bits. Made in the app so no sequence is shared across nodes.
 */
export function uuidv7(now: number = Date.now()): string {
  if (now <= lastMs) {
    counter++;
    if (counter > 0xfff) {
      lastMs++;
      counter = 0;
    }
    now = lastMs;
  } else {
    lastMs = now;
    counter = 0;
  }
  const b = Buffer.allocUnsafe(16);
  randomInto(b, 6, 10);
  b.writeUIntBE(now, 0, 6);
  b[6] = 0x70 | (counter >> 8);
  b[7] = counter & 0xff;
  b[8] = 0x80 | ((b[8] ?? 0) & 0x3f);
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
