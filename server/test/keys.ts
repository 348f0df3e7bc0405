// The data key of the test run: the demo template's encrypted fields and every test app use it.
import { loadDataKeys, type DataKeys } from '../src/crypto/personal-data.js';

export const TEST_DATA_KEY = '5a'.repeat(32);
let keys: DataKeys | undefined;
export function testKeys(): DataKeys {
  keys ??= loadDataKeys({ env: { JIAYUAN_DATA_KEY: TEST_DATA_KEY }, dataDir: '/nonexistent', allowGenerated: false });
  return keys;
}
