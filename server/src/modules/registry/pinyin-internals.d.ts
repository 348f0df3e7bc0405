// The parts of pinyin-pro's word matcher that `name-keys.ts` reads (pinyin-pro exports `./dist/*`,
// without types). The trie holds every dictionary word, surname and custom word as a path of characters.
declare module 'pinyin-pro/dist/esm/common/segmentit/index.mjs' {
  interface TrieNode {
    children: Map<string, TrieNode>;
  }
  export const acTree: { root: TrieNode };
  export function ensureAcBuilt(): void;
}
