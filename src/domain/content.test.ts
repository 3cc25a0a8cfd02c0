import { describe, expect, it } from 'vitest';
import { FinError } from './errors.js';
import { plainTextToHtml } from '../contract/plain-text.js';
import { normalizeAttachments, requireContent, sanitizeBody } from './content.js';

describe('sanitizeBody', () => {
  it('keeps typed plain text, as the inbox and the emulator send it, as it is', () => {
    const body = plainTextToHtml('a < b\n\nc > d & "e"\nf');
    expect(sanitizeBody(body)).toBe(body);
  });

  it('keeps the HTML Fin supports', () => {
    const html =
      '<h1>T</h1><h2>S</h2><p>a <b>b</b> <i>i</i> <code>c</code><br /><a href="https://x.example/">l</a></p><ul><li>1</li></ul><ol><li>2</li></ol><img src="https://x.example/i.png" alt="i" />';
    expect(sanitizeBody(html)).toBe(html);
  });

  it('shows h3–h6 as h2 and strong/em as b/i', () => {
    expect(sanitizeBody('<h3>a</h3><h6>b</h6><strong>c</strong><em>d</em>')).toBe('<h2>a</h2><h2>b</h2><b>c</b><i>d</i>');
  });

  it.each([
    ['<script>alert(1)</script>hi', 'hi'],
    ['<img src=x onerror=alert(1)>', null],
    ['<a href="javascript:alert(1)">x</a>', '<a>x</a>'],
    ['<a href="JaVaScRiPt:alert(1)">x</a>', '<a>x</a>'],
    ['<a href="data:text/html,<script>alert(1)</script>">x</a>', '<a>x</a>'],
    ['<p onclick="alert(1)" style="color:red" class="c">x</p>', '<p>x</p>'],
    ['<iframe src="https://evil.example"></iframe>ok', 'ok'],
    ['<svg><script>alert(1)</script></svg>ok', 'ok'],
    ['<div><span>kept text</span></div>', 'kept text'],
    ['<style>p{}</style><p>x</p>', '<p>x</p>'],
    ['<img src="//evil.example/x.png">', null],
    ['5 < 6 & 7 > 3', '5 &lt; 6 &amp; 7 &gt; 3'],
  ] as [string, string | null][])('neutralizes %s', (input, expected) => {
    expect(sanitizeBody(input)).toBe(expected);
  });

  // Spec §5: links and images point only to absolute http(s) URLs (and mailto: for links). A
  // relative src would make every agent's browser request Finch itself, with its cookie.
  it.each([
    ['<p>x<img src="/api/v1/session"></p>', '<p>x</p>'],
    ['<p>x<img src="api/v1/session"></p>', '<p>x</p>'],
    ['<p>x<img src="./a.png"></p>', '<p>x</p>'],
    ['<p>x<img src="//evil.example/a.png"></p>', '<p>x</p>'],
    ['<p>x<img src="\\\\evil.example/a.png"></p>', '<p>x</p>'],
    ['<p>x<img src="/\\evil.example/a.png"></p>', '<p>x</p>'],
    ['<p>x<img src="https:/api/v1/session"></p>', '<p>x</p>'],
    ['<p>x<img src="https:api/v1/session"></p>', '<p>x</p>'],
    ['<p>x<img src="http:\\\\evil.example/a.png"></p>', '<p>x</p>'],
    ['<p>x<img src="mailto:a@b.example"></p>', '<p>x</p>'],
    ['<p>x<img src="data:image/png;base64,AAAA"></p>', '<p>x</p>'],
    ['<p>x<img src="&#47;api&#47;v1&#47;session"></p>', '<p>x</p>'],
    ['<p>x<img srcset="/api/v1/session 1x"></p>', '<p>x</p>'],
    ['<p>x<img srcset="/api/v1/session 1x" src="https://x.example/a.png"></p>', '<p>x<img src="https://x.example/a.png" /></p>'],
    ['<a href="/api/v1/session">x</a>', '<a>x</a>'],
    ['<a href="?q=1">x</a>', '<a>x</a>'],
    ['<a href="#top">x</a>', '<a>x</a>'],
    ['<a href="//evil.example">x</a>', '<a>x</a>'],
    ['<a href="\\\\evil.example">x</a>', '<a>x</a>'],
    ['<a href="https:evil.example">x</a>', '<a>x</a>'],
    ['<a href="&#47;&#47;evil.example">x</a>', '<a>x</a>'],
    ['<a href="java&#x09;script:alert(1)">x</a>', '<a>x</a>'],
    ['<a href=" javascript:alert(1)">x</a>', '<a>x</a>'],
    ['<a href="vbscript:x">x</a>', '<a>x</a>'],
    ['<a href="ftp://x.example/a">x</a>', '<a>x</a>'],
    ['<a href="https://">x</a>', '<a>x</a>'],
    // What survives is written as the browser reads it.
    ['<a href=" HTTPS://x.example/a">x</a>', '<a href="https://x.example/a">x</a>'],
    ['<a href="ht&#x74;ps://x.example/a">x</a>', '<a href="https://x.example/a">x</a>'],
    ['<a href="h\ttt\nps://x.example/a">x</a>', '<a href="https://x.example/a">x</a>'],
    ['<a href="https://x.example\\a">x</a>', '<a href="https://x.example/a">x</a>'],
    ['<a href="http://x.example/a?b=1&amp;c=2">x</a>', '<a href="http://x.example/a?b=1&amp;c=2">x</a>'],
    ['<a href="MAILTO:help@x.example">x</a>', '<a href="mailto:help@x.example">x</a>'],
    ['<img alt="i" src="HTTP://x.example/a.png">', '<img alt="i" src="http://x.example/a.png" />'],
  ] as [string, string | null][])('keeps only absolute http(s) (and mailto: links) in %s', (input, expected) => {
    expect(sanitizeBody(input)).toBe(expected);
  });

  it('reduces a body with nothing visible to null', () => {
    for (const body of [null, undefined, '', '  ', '<p></p>', '<p>&nbsp;</p>', '<script>x</script>', '<br>', '<img src="/api/v1/session">'])
      expect(sanitizeBody(body)).toBeNull();
    expect(sanitizeBody('<img src="https://x.example/a.png">')).toBe('<img src="https://x.example/a.png" />');
  });
});

describe('normalizeAttachments', () => {
  it('accepts HTTPS URLs and fills in a name and type from the URL', () => {
    expect(normalizeAttachments([{ url: 'https://files.example.com/reports/Q3%20report.PDF?sig=1' }], '/attachments')).toEqual([
      { url: 'https://files.example.com/reports/Q3%20report.PDF?sig=1', filename: 'Q3 report.PDF', filetype: 'pdf' },
    ]);
    expect(normalizeAttachments([{ url: 'https://x.example/', filename: 'Guide', filetype: 'pdf' }], '')).toEqual([
      { url: 'https://x.example/', filename: 'Guide', filetype: 'pdf' },
    ]);
  });

  it('refuses anything but HTTPS with a pointer to the attachment', () => {
    for (const url of ['http://x.example/a', 'javascript:alert(1)', 'ftp://x/a', 'not a url', 'file:///etc/passwd']) {
      try {
        normalizeAttachments([{ url: 'https://ok.example/a' }, { url }], '/attachments');
        expect.unreachable();
      } catch (error) {
        expect(error).toBeInstanceOf(FinError);
        expect((error as FinError).kind).toBe('unprocessable');
        expect((error as FinError).pointer).toBe('/attachments/1/url');
      }
    }
  });
});

describe('requireContent', () => {
  it('refuses a message with neither body nor attachment', () => {
    expect(() => requireContent(null, [], '')).toThrow(FinError);
    expect(() => requireContent('<p>x</p>', [], '')).not.toThrow();
    expect(() => requireContent(null, [{ url: 'https://x', filename: 'x', filetype: '' }], '')).not.toThrow();
  });
});
