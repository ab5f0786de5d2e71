// Writes test/secret-vectors.json (run from Clients/web: node test/make-secret-vectors.mjs > test/secret-vectors.json).
import sodium from 'libsodium-wrappers';
import { encode } from '@msgpack/msgpack';
await sodium.ready;
const hex = (b) => Buffer.from(b).toString('hex');
const fromHex = (h) => new Uint8Array(Buffer.from(h, 'hex'));
const le64 = (n) => { const b = new Uint8Array(8); new DataView(b.buffer).setBigInt64(0, BigInt(n), true); return b; };
const cat = (...a) => { const r = new Uint8Array(a.reduce((s, x) => s + x.length, 0)); let o = 0; for (const x of a) { r.set(x, o); o += x.length; } return r; };
const label = new TextEncoder().encode('messenger-secret/1');
function derive(aSecret, bSecret) {
  const gA = sodium.crypto_scalarmult_base(aSecret), gB = sodium.crypto_scalarmult_base(bSecret);
  const s1 = sodium.crypto_scalarmult(aSecret, gB), s2 = sodium.crypto_scalarmult(bSecret, gA);
  if (hex(s1) !== hex(s2)) throw new Error('dh');
  const keys = sodium.crypto_generichash(64, cat(label, s1, gA, gB), null);
  const h = sodium.crypto_generichash(32, keys, null);
  let fp = 0; for (let i = 5; i >= 0; i--) fp = fp * 256 + h[i];
  const verification = hex(h.slice(0, 16)).match(/.{4}/g).join(' ');
  return { gA, gB, shared: s1, keys, fp, verification };
}
const cases = [];
const seeds = [
  ['a0'.repeat(32), 'b1'.repeat(32)],
  [hex(sodium.crypto_generichash(32, new TextEncoder().encode('alice'), null)), hex(sodium.crypto_generichash(32, new TextEncoder().encode('bob'), null))],
];
let n = 0;
for (const [ah, bh] of seeds) {
  const a = fromHex(ah), b = fromHex(bh);
  const d = derive(a, b);
  const chatId = 7 + n;
  const msgs = [];
  const plains = [
    { from: 'admin', random_id: 1234567890123, body: { text: 'Hello, secret world', date: 1764900000, ttl: 0 } },
    { from: 'participant', random_id: 9007199254740991, body: { text: 'Привет 👋 **bold**', date: 1764900005, ttl: 30, reply_to: 1234567890123 } },
    { from: 'admin', random_id: 42, body: { delete: [1234567890123], date: 1764900010 } },
  ];
  let k = 0;
  for (const p of plains) {
    const key = p.from === 'admin' ? d.keys.slice(0, 32) : d.keys.slice(32, 64);
    const nonce = sodium.crypto_generichash(24, cat(new TextEncoder().encode('nonce'), new Uint8Array([n, k++])), null);
    const plaintext = encode(p.body);
    const ad = cat(le64(chatId), le64(p.random_id));
    const ct = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(plaintext, ad, null, nonce, key);
    msgs.push({ from: p.from, random_id: p.random_id, nonce: hex(nonce), plaintext: hex(plaintext), body: p.body, data: hex(cat(nonce, ct)) });
  }
  cases.push({ chat_id: chatId, a_secret: ah, b_secret: bh, g_a: hex(d.gA), g_b: hex(d.gB), shared: hex(d.shared),
    key_admin_to_participant: hex(d.keys.slice(0, 32)), key_participant_to_admin: hex(d.keys.slice(32)), key_fingerprint: d.fp, verification: d.verification, messages: msgs });
  n++;
}
// low-order points a server and a client must refuse (X25519 of them with any key is all zero)
const lowOrder = ['0000000000000000000000000000000000000000000000000000000000000000', '0100000000000000000000000000000000000000000000000000000000000000', 'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800', '5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157', 'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', 'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', 'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f'];
for (const p of lowOrder) { let ok = true; try { const r = sodium.crypto_scalarmult(fromHex('a0'.repeat(32)), fromHex(p)); ok = !r.every(x => x === 0); } catch { ok = false; } if (ok) throw new Error('not low order ' + p); }
console.log(JSON.stringify({ description: 'Secret chats (end-to-end): see README, Secret chats. keys = BLAKE2b-512("messenger-secret/1" || X25519(a, g_b) || g_a || g_b); first 32 bytes encrypt from the admin (initiator), last 32 from the participant; h = BLAKE2b-256(keys); key_fingerprint = h[0..6] as a little-endian unsigned integer; verification = hex of h[0..16] in groups of 4; data = nonce(24) || XChaCha20-Poly1305-IETF(key, nonce, plaintext, ad = chat_id as int64 LE || random_id as int64 LE); plaintext = a MessagePack map.', cases, low_order_points: lowOrder }, null, 2));
