/**
 * Growing the typed arrays indexed by id (series, tree nodes, name ids) that many modules keep:
 * a copy with room, its new elements set to a fill value (0, or a "none" marker).
 */
type GrowableArray = Int32Array | Uint32Array | Uint16Array | Uint8Array;

/** `array` copied into one of `size` elements (at least its own), the new ones `fill`. */
export function grown<T extends GrowableArray>(array: T, size: number, fill = 0): T {
  const bigger = new (array.constructor as new (size: number) => T)(size);
  if (fill !== 0) bigger.fill(fill, array.length);
  bigger.set(array);
  return bigger;
}

/** The size an array of `length` elements doubles to until it holds `index`. */
export function doubledToHold(length: number, index: number): number {
  let size = Math.max(1, length);
  while (size <= index) size *= 2;
  return size;
}
