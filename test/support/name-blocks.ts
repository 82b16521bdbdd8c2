import { NameBlockBuilder, nameInBlock, type NameBlock } from '../../src/names/name-block.js';

/** A block of these names, as the carbon worker sends them (plain names as bytes, others as UTF-8). */
export function blockOf(names: readonly string[]): NameBlock {
  const builder = new NameBlockBuilder();
  for (const name of names) builder.addString(name);
  return builder.take();
}

/** The names in a block, as strings. */
export function namesIn(block: NameBlock): string[] {
  return Array.from({ length: block.count }, (_, k) => nameInBlock(block, k));
}
