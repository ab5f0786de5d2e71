import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseRich, plainText, toEntities } from '../src/ui/rich';

/** The same cases the server's MarkupFixtureTests read: both parsers must give the same text, entities and preview. */
const fixtures: { input: string; text: string; entities: string[]; preview: string }[] = JSON.parse(
  readFileSync(new URL('./markup-fixtures.json', import.meta.url), 'utf8'),
);

describe('markup fixtures shared with the server', () => {
  it('has enough cases to mean something', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(40);
  });

  for (const fixture of fixtures) {
    it(JSON.stringify(fixture.input), () => {
      const { text, entities } = toEntities(parseRich(fixture.input));
      expect(text).toBe(fixture.text);
      expect(entities.map((e) => [e.type, e.offset, e.length, ...(e.url ? [e.url] : [])].join(' '))).toEqual(fixture.entities);
      expect(plainText(fixture.input)).toBe(fixture.preview);
    });
  }
});
