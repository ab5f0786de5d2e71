/**
 * Name matching as the server does it (Kernel's NameKey and Session's NameSearch): case and accents folded, a name cut
 * into words at spaces and punctuation, and a query matching when each of its words starts a word of the name or the
 * username (in any order), or when it starts the username as typed (leading '@'s ignored). The chat list and the
 * pickers filter what is already here with it, so "jose" finds "José" locally as users.search does on the server.
 */

// The blocks whose letters lose their accents: Latin-1 Supplement to Latin Extended-B, Greek and Cyrillic, Latin
// Extended Additional and Greek Extended, the Latin ligatures, full-width ASCII.
const DECOMPOSED = /[\u00c0-\u024f\u0370-\u052f\u1e00-\u1fff\ufb00-\ufb06\uff01-\uff5e]/u;
const ACCENTED_BASE = /[\u0000-\u052f\u1c80-\u1c8f\u1d00-\u1fff\u2c60-\u2c7f\ua640-\ua69f\ua720-\ua7ff\uab30-\uab6f]/u;
const MARK = /\p{Mn}/u;
const SPELLED: Record<string, string> = { ß: 'ss', æ: 'ae', œ: 'oe', ø: 'o', ł: 'l', đ: 'd', ð: 'd', þ: 'th', ı: 'i', ς: 'σ' };
// Variation selectors and zero-width (non-)joiners only choose how neighbours are drawn: folded away.
const INVISIBLE = /[\ufe00-\ufe0f\u{e0100}-\u{e01ef}\u200c\u200d]/u;
// A mark carries on a word but never begins one (a lone accent, an emoji's keycap).
const WORD = /[\p{L}\p{N}][\p{L}\p{N}\p{M}]*/gu;
const USERNAME = /^[A-Za-z0-9_]+$/;

/** Case and accents folded: "Zoë Müller" → "zoe muller", "Фёдор" → "федор"; other scripts as written. */
export function foldName(text: string): string {
  let folded = '';
  let accentsDrop = false;
  for (const char of text) {
    if (INVISIBLE.test(char)) continue;
    if (MARK.test(char)) {
      if (!accentsDrop) folded += char;
      continue;
    }
    accentsDrop = ACCENTED_BASE.test(char);
    const bases = DECOMPOSED.test(char) ? [...char.normalize('NFKD')].filter((c) => !MARK.test(c)).join('') : char;
    for (const letter of bases.toLowerCase()) folded += SPELLED[letter] ?? letter;
  }
  return folded;
}

/** The folded words of a name or a query: runs of letters, digits and their marks, begun by a letter or a digit. */
export function nameWords(text: string): string[] {
  return foldName(text).match(WORD) ?? [];
}

/** The start of a username `query` may be, lower-cased (trimmed, leading '@'s dropped, only A–Z a–z 0–9 _ left), or null. */
function usernamePrefix(query: string): string | null {
  const typed = query.trim().replace(/^@+/, '');
  return USERNAME.test(typed) ? typed.toLowerCase() : null;
}

/** The look-alikes in the order a fold reads them (Session's Rules.UsernameLookAlikes): `i` and `1` as `l`, `0` as `o`,
 * then `rn` as `m`. */
const LOOK_ALIKES: readonly (readonly [string, string])[] = [
  ['i', 'l'],
  ['1', 'l'],
  ['0', 'o'],
  ['rn', 'm'],
];

/** A username as it may be read (Session's Rules.UsernameFold): lower-cased, with the look-alikes folded, so "AIice"
 * and "a1ice" read as alice does. */
export function usernameFold(username: string): string {
  let fold = username.toLowerCase();
  for (const [from, to] of LOOK_ALIKES) fold = fold.split(from).join(to);
  return fold;
}

/** What a username's fold starts with when a query's fold finds it (Session's Rules.UsernameFoldStarts): the query's
 * fold, and for a query ending in the first letters of a longer look-alike ("bar", of `rn`) the same with them read as
 * it ("bam"), so a query that finds a name still finds it with its last letters deleted. */
export function usernameFoldStarts(queryFold: string): string[] {
  const starts = [queryFold];
  for (const [from, to] of LOOK_ALIKES) {
    for (let typed = 1; typed < from.length; typed++) {
      if (queryFold.endsWith(from.slice(0, typed))) starts.push(queryFold.slice(0, -typed) + to);
    }
  }
  return starts;
}

/** Whether `query` finds the person or chat named `name` (with `username`, if any). A query with neither a word nor
 * a username's start finds nothing; one that is only a username's start ("_") finds by the username alone, or by a
 * look-alike of it ("AIice" finds alice, and "0r" finds ornella as "0rn" does, as users.search does). */
export function nameMatches(query: string, name: string, username = ''): boolean {
  const usernameKey = username.toLowerCase();
  const typed = usernamePrefix(query);
  if (usernameKey && typed !== null && usernameKey.startsWith(typed)) return true;
  const queryWords = nameWords(query);
  const words = nameWords(name);
  if (
    queryWords.length > 0 &&
    queryWords.every((q) => (usernameKey !== '' && usernameKey.startsWith(q)) || words.some((w) => w.startsWith(q)))
  ) {
    return true;
  }
  if (usernameKey === '' || typed === null) return false;
  const fold = usernameFold(usernameKey);
  return usernameFoldStarts(usernameFold(typed)).some((start) => fold.startsWith(start));
}

/** Whether the server takes `query` for users.search or a member search: 1–64 characters after trimming, with a word
 * or being a username's start ("_", "@__"). */
export function isNameQuery(query: string): boolean {
  const trimmed = query.trim();
  return (
    trimmed.length >= 1 &&
    trimmed.length <= 64 &&
    !/\p{Cc}/u.test(trimmed) &&
    (nameWords(trimmed).length > 0 || usernamePrefix(trimmed) !== null)
  );
}
