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
// re-keying (forward secrecy): generation n+1 from generation n's 64 key bytes and a fresh X25519 exchange
const rekeyLabel = new TextEncoder().encode('messenger-secret-rekey/1');
function rekey(prevKeys, initSecret, accSecret) {
  const gInit = sodium.crypto_scalarmult_base(initSecret), gAcc = sodium.crypto_scalarmult_base(accSecret);
  const s1 = sodium.crypto_scalarmult(initSecret, gAcc), s2 = sodium.crypto_scalarmult(accSecret, gInit);
  if (hex(s1) !== hex(s2)) throw new Error('dh');
  const keys = sodium.crypto_generichash(64, cat(rekeyLabel, s1, prevKeys, gInit, gAcc), null);
  const h = sodium.crypto_generichash(32, keys, null);
  let fp = 0; for (let i = 5; i >= 0; i--) fp = fp * 256 + h[i];
  return { gInit, gAcc, shared: s1, keys, fp };
}
const rekeys = [];
{
  const c = cases[0];
  let prev = fromHex(c.key_admin_to_participant + c.key_participant_to_admin);
  const steps = [
    { initiator: 'participant', init_secret: 'c2'.repeat(32), acc_secret: 'd3'.repeat(32), exchange_id: 4503599627370495 },
    { initiator: 'admin', init_secret: 'e4'.repeat(32), acc_secret: 'f5'.repeat(32), exchange_id: 77 },
  ];
  let generation = 0, k = 0;
  for (const st of steps) {
    const r = rekey(prev, fromHex(st.init_secret), fromHex(st.acc_secret));
    generation++;
    const bodies = {
      request: { rekey: { op: 'request', id: st.exchange_id, g: r.gInit }, date: 1764900100 + generation },
      accept: { rekey: { op: 'accept', id: st.exchange_id, g: r.gAcc, fp: r.fp }, date: 1764900200 + generation },
      commit: { rekey: { op: 'commit', id: st.exchange_id, fp: r.fp }, date: 1764900300 + generation },
      abort: { rekey: { op: 'abort', id: st.exchange_id }, date: 1764900400 + generation },
    };
    const msgs = [];
    for (const from of ['admin', 'participant']) {
      const key = from === 'admin' ? r.keys.slice(0, 32) : r.keys.slice(32, 64);
      const nonce = sodium.crypto_generichash(24, cat(new TextEncoder().encode('rekey-nonce'), new Uint8Array([generation, k++])), null);
      const random_id = 1000 + generation * 10 + (from === 'admin' ? 1 : 2);
      const body = { text: `generation ${generation} from ${from}`, date: 1764900500 + generation };
      const plaintext = encode(body);
      const ct = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(plaintext, cat(le64(c.chat_id), le64(random_id)), null, nonce, key);
      msgs.push({ from, random_id, nonce: hex(nonce), plaintext: hex(plaintext), body, data: hex(cat(nonce, ct)) });
    }
    rekeys.push({ chat_id: c.chat_id, generation, initiator: st.initiator, exchange_id: st.exchange_id,
      previous_keys: hex(prev), init_secret: st.init_secret, acc_secret: st.acc_secret, g_init: hex(r.gInit), g_acc: hex(r.gAcc), shared: hex(r.shared),
      key_admin_to_participant: hex(r.keys.slice(0, 32)), key_participant_to_admin: hex(r.keys.slice(32)), key_fingerprint: r.fp,
      bodies: Object.fromEntries(Object.entries(bodies).map(([op, b]) => [op, hex(encode(b))])), messages: msgs });
    prev = r.keys;
  }
}
// sequence numbers: out_seq and in_seq go last in every kind of body (a body without them is the map it always was)
const sequence = [];
{
  const c = cases[0];
  const keys = fromHex(c.key_admin_to_participant + c.key_participant_to_admin);
  const plains = [
    { from: 'admin', random_id: 501, body: { text: 'first numbered', date: 1764900600, ttl: 0, out_seq: 0, in_seq: 0 } },
    { from: 'participant', random_id: 502, body: { text: 'an answer', date: 1764900601, ttl: 5, reply_to: 501, out_seq: 0, in_seq: 1 } },
    { from: 'admin', random_id: 503, body: { delete: [501], date: 1764900602, out_seq: 1, in_seq: 1 } },
    { from: 'participant', random_id: 504, body: { rekey: { op: 'abort', id: 77 }, date: 1764900603, out_seq: 9007199254740991, in_seq: 300 } },
  ];
  let k = 0;
  for (const p of plains) {
    const key = p.from === 'admin' ? keys.slice(0, 32) : keys.slice(32, 64);
    const nonce = sodium.crypto_generichash(24, cat(new TextEncoder().encode('seq-nonce'), new Uint8Array([k++])), null);
    const plaintext = encode(p.body);
    const ct = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(plaintext, cat(le64(c.chat_id), le64(p.random_id)), null, nonce, key);
    sequence.push({ chat_id: c.chat_id, from: p.from, random_id: p.random_id, nonce: hex(nonce), plaintext: hex(plaintext), body: p.body, data: hex(cat(nonce, ct)) });
  }
}
// resend requests: a request for a range of the peer's numbers, and its answers under their first numbers (a text and a
// delete sent again naming their first random_id, a body nobody is shown sent again empty, one no longer held "gone",
// a file message sent again with its file map)
const resend = [];
{
  const c = cases[0];
  const keys = fromHex(c.key_admin_to_participant + c.key_participant_to_admin);
  const plains = [
    { from: 'participant', random_id: 601, body: { resend: { start: 1, end: 4 }, date: 1764900700, out_seq: 1, in_seq: 1 } },
    { from: 'admin', random_id: 602, body: { text: 'sent again', date: 1764900600, ttl: 0, reply_to: 502, resent: 505, out_seq: 1, in_seq: 2 } },
    { from: 'admin', random_id: 603, body: { delete: [505], date: 1764900610, resent: 506, out_seq: 2, in_seq: 2 } },
    { from: 'admin', random_id: 604, body: { date: 1764900701, out_seq: 3, in_seq: 2 } },
    { from: 'admin', random_id: 605, body: { gone: true, date: 1764900701, out_seq: 4, in_seq: 2 } },
    // A file message sent again (its file map as first sent, the same key; the send names the file the chat holds by id).
    { from: 'admin', random_id: 606, body: { text: 'the report', date: 1764900620, ttl: 0, file: { key: Uint8Array.from({ length: 32 }, (_, i) => i), name: 'report.pdf', mime: 'application/pdf', size: 70000 }, resent: 507, out_seq: 5, in_seq: 2 } },
  ];
  let k = 0;
  for (const p of plains) {
    const key = p.from === 'admin' ? keys.slice(0, 32) : keys.slice(32, 64);
    const nonce = sodium.crypto_generichash(24, cat(new TextEncoder().encode('resend-nonce'), new Uint8Array([k++])), null);
    const plaintext = encode(p.body);
    const ct = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(plaintext, cat(le64(c.chat_id), le64(p.random_id)), null, nonce, key);
    // A file's key (bin) is written as hex in the JSON body.
    const body = p.body.file ? { ...p.body, file: { ...p.body.file, key: hex(p.body.file.key) } } : p.body;
    resend.push({ chat_id: c.chat_id, from: p.from, random_id: p.random_id, nonce: hex(nonce), plaintext: hex(plaintext), body, data: hex(cat(nonce, ct)) });
  }
}
// low-order points a server and a client must refuse (X25519 of them with any key is all zero)
const lowOrder = ['0000000000000000000000000000000000000000000000000000000000000000', '0100000000000000000000000000000000000000000000000000000000000000', 'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800', '5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157', 'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', 'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', 'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f'];
for (const p of lowOrder) { let ok = true; try { const r = sodium.crypto_scalarmult(fromHex('a0'.repeat(32)), fromHex(p)); ok = !r.every(x => x === 0); } catch { ok = false; } if (ok) throw new Error('not low order ' + p); }
console.log(JSON.stringify({ description: 'Secret chats (end-to-end): see docs/secret-chats.md. keys = BLAKE2b-512("messenger-secret/1" || X25519(a, g_b) || g_a || g_b); first 32 bytes encrypt from the admin (initiator), last 32 from the participant; h = BLAKE2b-256(keys); key_fingerprint = h[0..6] as a little-endian unsigned integer; verification = hex of h[0..16] in groups of 4; data = nonce(24) || XChaCha20-Poly1305-IETF(key, nonce, plaintext, ad = chat_id as int64 LE || random_id as int64 LE); plaintext = a MessagePack map.', cases, rekey_description: 'Re-keying: keys(n+1) = BLAKE2b-512("messenger-secret-rekey/1" || X25519(init_secret, g_acc) || keys(n) (64 bytes) || g_init || g_acc); directions and fingerprint as for the first keys (keys[0..32] from the chat\'s admin, whoever started the exchange). Bodies: MessagePack maps {rekey: {op, id, g?, fp?}, date}.', rekey: rekeys, sequence_description: 'Sequence numbers: out_seq (the sender\'s number for the body, 0, 1, 2, … over all it sends in the chat) and in_seq (the other side\'s bodies it received in order) go last in every body, out_seq first; keys of case 0.', sequence, resend_description: 'Resend requests: {resend: {start, end}} asks for the sender\'s numbers start..end (both included) again; each comes back under its first out_seq, sealed under the current keys with a new random_id: a text or a delete as it was plus resent (its first random_id) before the numbers, a body nobody is shown as {date} alone, one no longer held as {gone: true, date}; a file message as it was (its file map, the same key; the key is hex in body) plus resent, its send naming the file the chat holds (file: {id}) instead of an upload; keys of case 0.', resend, low_order_points: lowOrder }, null, 2));
