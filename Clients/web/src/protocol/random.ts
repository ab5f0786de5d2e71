/** A random non-zero id within JS's safe integers (random_id, upload file_id): the server takes any non-zero long. */
export function randomId(): number {
  const words = crypto.getRandomValues(new Uint32Array(2));
  const id = (words[0]! & 0x1fffff) * 0x1_0000_0000 + words[1]!;
  return id === 0 ? 1 : id;
}

/** A random positive 63-bit id (session ids). */
export function randomLong(): bigint {
  const words = crypto.getRandomValues(new Uint32Array(2));
  const id = (BigInt(words[0]! & 0x7fffffff) << 32n) | BigInt(words[1]!);
  return id === 0n ? 1n : id;
}
