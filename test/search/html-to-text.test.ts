import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { htmlToText } from '../../src/domain/content.js';
import { frozenHtmlToText } from '../../src/store/sql/migrations/0003_search.js';

/**
 * htmlToText must give the text migration 0003's frozen rule gives (sanitize-html with no tags
 * allowed, its escaping undone) for any input, or search words written before and after a change
 * of the live rule would disagree.
 */
describe('htmlToText', () => {
  it.each([
    ['<p>Hello</p><p>world</p>', 'Hello world'],
    ['a<br>b<br/>c<BR />d', 'a b c d'],
    ['<h1>T</h1><ul><li>one</li><li>two</li></ul>', 'T one two'],
    ['1 &lt; 2 &amp;&amp; 3 &gt; 2 &quot;q&quot; &#39;s&#x27; caf&eacute;', `1 < 2 && 3 > 2 "q" 's' café`],
    ['&amp;lt; stays one level decoded: &amp;#60;', '&lt; stays one level decoded: &#60;'],
    ['a&nbsp;&nbsp;b \n\t c', 'a b c'],
    ['<script>alert(1)</script>ok<style>p{}</style>', 'ok'],
    ['<select><option>hidden <b>too</b></option></select>shown', 'shown'],
    ['<textarea>&lt;raw&gt;</textarea><xmp><b>x</b></xmp>after', 'after'],
    ['<!-- a comment -->text<![CDATA[cdata]]>', 'text'],
    ['unclosed <b>bold <i>both', 'unclosed bold both'],
    ['stray </div> close and < lone & signs', 'stray close and < lone & signs'],
    ['', ''],
    ['a<option/', 'a/'],
    ['x<textarea foo/', 'x/'],
  ])('%j → %j', (html, text) => {
    expect(htmlToText(html)).toBe(text);
    expect(frozenHtmlToText(html)).toBe(text);
  });

  it('is null-safe', () => {
    expect(htmlToText(null)).toBe('');
  });

  it('gives the text the sanitizer-based rule gives, for any mix of markup, entities and text', () => {
    const tag = fc.constantFrom('p', 'b', 'i', 'br', 'li', 'h2', 'div', 'a', 'img', 'script', 'style', 'option', 'textarea', 'xmp', 'select', 'svg', 'title');
    const piece = fc.oneof(
      tag.map((name) => `<${name}>`),
      tag.map((name) => `</${name}>`),
      tag.map((name) => `<${name} />`),
      // Tags the input may end inside of.
      tag.map((name) => `<${name}`),
      tag.map((name) => `<${name}/`),
      tag.map((name) => `<${name} a="1"/`),
      fc.constantFrom('<a href="https://x.example/?a=1&amp;b=2">', '<img src=x onerror=alert(1)>', '<!-- c -->', '<![CDATA[x]]>', '<!doctype html>', '<'),
      fc.constantFrom('&amp;', '&lt;', '&gt;', '&quot;', '&apos;', '&nbsp;', '&eacute;', '&#60;', '&#x3C;', '&#0;', '&#x110000;', '&bogus;', '&', '&amp;lt;'),
      fc.string({ maxLength: 8 }),
      fc.constantFrom(' ', '\n', '\t', '\u00a0'),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), (pieces) => {
        const html = pieces.join('');
        expect(htmlToText(html)).toBe(frozenHtmlToText(html));
      }),
      { numRuns: 2_000, seed: 14 },
    );
  });
});
