import { describe, expect, it } from 'vitest';
import { foldName, isNameQuery, nameMatches, nameWords, usernameFold, usernameFoldStarts } from '../src/ui/nameSearch';

describe('name search', () => {
  it('folds case and accents of Latin, Greek and Cyrillic letters', () => {
    expect(foldName('José ZOË Müller Ångström')).toBe('jose zoe muller angstrom');
    expect(foldName('Straße Łukasz Øster ﬁnn ＡＢＣ')).toBe('strasse lukasz oster finn abc');
    expect(foldName('Фёдор ДОСТОЕВСКИЙ')).toBe('федор достоевскии');
    expect(foldName('Νίκος')).toBe('νικοσ');
    expect(foldName('e\u0301')).toBe('e');
  });

  it('leaves other scripts as written', () => {
    expect(foldName('王小明')).toBe('王小明');
    expect(foldName('がっこう')).toBe('がっこう');
    expect(foldName('देवनागरी')).toBe('देवनागरी');
  });

  it('cuts names into words at spaces and punctuation', () => {
    expect(nameWords("Jan-Erik O'Brien")).toEqual(['jan', 'erik', 'o', 'brien']);
    expect(nameWords(' anna_maria.smith 🙂 42 ')).toEqual(['anna', 'maria', 'smith', '42']);
    expect(nameWords('-- . _')).toEqual([]);
    expect(nameWords('\u2764\ufe0f Anna')).toEqual(['anna']);
    expect(nameWords('\u0301 \u20e3\ufe0f')).toEqual([]);
    expect(nameWords('x\u200d\u{e0100}y \u0915\u093f')).toEqual(['xy', '\u0915\u093f']);
  });

  it('matches a look-alike of the username as users.search does, and nothing else by it', () => {
    expect(usernameFold('AIice_0rnate')).toBe('allce_omate');
    expect(nameMatches('AIice', 'Someone', 'alice')).toBe(true);
    expect(nameMatches('@a1ic', 'Someone', 'alice')).toBe(true);
    expect(nameMatches('bob', 'Someone', 'alice')).toBe(false);
    expect(nameMatches('AIice', 'Alice Smith')).toBe(false);
  });

  it('finds an rn look-alike of an m, and a query ending in r finds an rn name by its m: typing only narrows', () => {
    expect(nameMatches('rnaxx', 'Someone', 'maxx_yz')).toBe(true);
    expect(nameMatches('barn', 'Someone', 'bam_probe')).toBe(true);
    expect(nameMatches('bar', 'Someone', 'bam_probe')).toBe(true);
    expect(nameMatches('bar', 'Someone', 'bao_probe')).toBe(false);
    expect(usernameFoldStarts('or')).toEqual(['or', 'om']);
    expect(usernameFoldStarts('om')).toEqual(['om']);
    for (let length = 1; length <= '0rnella'.length; length++) {
      expect(nameMatches('0rnella'.slice(0, length), 'Someone', 'ornella_probe')).toBe(true);
    }
  });

  it('finds a name by every start of a look-alike query that finds it', () => {
    // Every query of up to four of the letters the look-alikes read or yield (and one they leave) finds the name
    // spelled as its fold, and spelled with an rn for each m; so must each start of the query.
    const letters = ['a', 'r', 'n', 'm', 'i', 'l', '1', 'o', '0'];
    let queries = [''];
    for (let length = 1; length <= 4; length++) {
      queries = queries.flatMap((q) => letters.map((c) => q + c));
      for (const query of queries) {
        for (const username of [usernameFold(query) + 'z', usernameFold(query).replaceAll('m', 'rn') + 'z']) {
          expect(nameMatches(query, 'Someone', username)).toBe(true);
          for (let start = 1; start < query.length; start++) {
            if (!nameMatches(query.slice(0, start), 'Someone', username)) {
              expect.fail(`"${query.slice(0, start)}" misses ${username}, which "${query}" finds`);
            }
          }
        }
      }
    }
  });

  it('matches when every query word starts a word of the name or the username, in any order', () => {
    expect(nameMatches('ander', 'Jan Andersson')).toBe(true);
    expect(nameMatches('andersson jan', 'Jan Andersson')).toBe(true);
    expect(nameMatches('jose', 'José García')).toBe(true);
    expect(nameMatches('MÜLLER', 'Zoe Muller')).toBe(true);
    expect(nameMatches('фёдор', 'Федор')).toBe(true);
    expect(nameMatches('ders', 'Jan Andersson')).toBe(false);
    expect(nameMatches('jan bob', 'Jan Andersson')).toBe(false);
    expect(nameMatches('jsmith', 'Jan Andersson', 'jsmith_42')).toBe(true);
    expect(nameMatches('@jsmith_4', 'Jan Andersson', 'jsmith_42')).toBe(true);
    expect(nameMatches('jan jsm', 'Jan Andersson', 'jsmith_42')).toBe(true);
    expect(nameMatches('--', 'Jan Andersson')).toBe(false);
    expect(nameMatches('@@jsmith_4', 'Jan Andersson', 'jsmith_42')).toBe(true);
    expect(nameMatches('_', 'Under Score', '_____')).toBe(true);
    expect(nameMatches('@__', 'Init', '__init')).toBe(true);
    expect(nameMatches('_', 'A_B', 'abcde')).toBe(false);
  });

  it('tells which queries the server takes', () => {
    expect(isNameQuery('José')).toBe(true);
    expect(isNameQuery('  ')).toBe(false);
    expect(isNameQuery('-_.')).toBe(false);
    expect(isNameQuery('\u2764\ufe0f')).toBe(false);
    expect(isNameQuery('\u0301')).toBe(false);
    expect(isNameQuery('a'.repeat(65))).toBe(false);
    expect(isNameQuery('_')).toBe(true);
    expect(isNameQuery(' @__ ')).toBe(true);
    expect(isNameQuery('@')).toBe(false);
    expect(isNameQuery('-')).toBe(false);
  });
});
