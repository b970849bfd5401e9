/**
 * A minimal protobuf reader for known-answer tests on tss-lib wire bytes: length-delimited fields
 * only (every tss-lib message field is bytes or a nested message). Test-only; the library's own
 * strict decoder is `decodeTssLibWire` in src/interop/tss-lib/codec.ts.
 */
export function pbFields(b: Uint8Array): Map<number, Uint8Array[]> {
  const out = new Map<number, Uint8Array[]>();
  let p = 0;
  const varint = (): number => {
    let v = 0;
    let shift = 0;
    for (;;) {
      const byte = b[p++]!;
      v += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return v;
      shift += 7;
    }
  };
  while (p < b.length) {
    const key = varint();
    if ((key & 7) !== 2) throw new Error('unexpected wire type');
    const len = varint();
    const field = Math.floor(key / 8);
    out.set(field, [...(out.get(field) ?? []), b.subarray(p, p + len)]);
    p += len;
  }
  return out;
}
