import assert from 'node:assert/strict';
import { decodeFeedBytes } from '../src/ingest/decode.js';
import { DecodeError } from '../src/errors.js';

const xml = (encoding: string | undefined, body: Buffer): Buffer =>
  Buffer.concat([Buffer.from(`<?xml version="1.0"${encoding ? ` encoding="${encoding}"` : ''}?><rss><t>`, 'latin1'), body, Buffer.from('</t></rss>', 'latin1')]);
const hex = (h: string): Buffer => Buffer.from(h.replace(/\s+/g, ''), 'hex');
const inner = (text: string): string => /<t>([\s\S]*)<\/t>/.exec(text)?.[1] ?? '';

interface Case {
  name: string;
  bytes: Buffer;
  contentType?: string;
  encoding: string;
  text: string;
  lint?: string[];
}

const utf16 = (s: string, le: boolean, bom: boolean): Buffer => {
  const b = Buffer.from(s, 'utf16le');
  if (!le) b.swap16();
  return bom ? Buffer.concat([le ? hex('fffe') : hex('feff'), b]) : b;
};

const CASES: Case[] = [
  { name: 'plain UTF-8 without declaration', bytes: xml(undefined, Buffer.from('“Café” – ok', 'utf8')), encoding: 'utf-8', text: '“Café” – ok' },
  { name: 'UTF-8 BOM', bytes: Buffer.concat([hex('efbbbf'), xml('utf-8', Buffer.from('naïve', 'utf8'))]), encoding: 'utf-8', text: 'naïve' },
  { name: 'UTF-16 LE BOM', bytes: utf16('<?xml version="1.0" encoding="UTF-16"?><rss><t>Grüße ‘q’</t></rss>', true, true), encoding: 'utf-16le', text: 'Grüße ‘q’' },
  { name: 'UTF-16 BE BOM', bytes: utf16('<?xml version="1.0" encoding="UTF-16"?><rss><t>日本語</t></rss>', false, true), encoding: 'utf-16be', text: '日本語' },
  { name: 'UTF-16 LE without BOM (sniffed)', bytes: utf16('<?xml version="1.0"?><rss><t>x—y</t></rss>', true, false), encoding: 'utf-16le', text: 'x—y' },
  { name: 'windows-1252 from prolog', bytes: xml('windows-1252', hex('93 43 61 66 e9 94 20 97 20 80')), encoding: 'windows-1252', text: '“Café” — €' },
  { name: 'ISO-8859-1 label read as windows-1252 (WHATWG)', bytes: xml('ISO-8859-1', hex('93 71 94')), encoding: 'windows-1252', text: '“q”' },
  { name: 'ISO-8859-2 from prolog', bytes: xml('ISO-8859-2', hex('b3 f3 64 bc')), encoding: 'iso-8859-2', text: 'łódź' },
  { name: 'ISO-8859-5 from HTTP charset', bytes: xml(undefined, hex('bf e0 d8 d2 d5 e2')), contentType: 'application/rss+xml; charset=ISO-8859-5', encoding: 'iso-8859-5', text: 'Привет' },
  { name: 'KOI8-R from prolog', bytes: xml('KOI8-R', hex('f0 d2 c9 d7 c5 d4')), encoding: 'koi8-r', text: 'Привет' },
  { name: 'Shift_JIS from HTTP charset', bytes: xml(undefined, hex('93 fa 96 7b')), contentType: 'text/xml; charset="Shift_JIS"', encoding: 'shift_jis', text: '日本' },
  { name: 'EUC-JP from prolog', bytes: xml('EUC-JP', hex('c6 fc cb dc')), encoding: 'euc-jp', text: '日本' },
  { name: 'GBK from prolog (gb2312 label)', bytes: xml('gb2312', hex('d6 d0 ce c4')), encoding: 'gbk', text: '中文' },
  { name: 'GB18030 from prolog', bytes: xml('GB18030', hex('d6 d0 ce c4')), encoding: 'gb18030', text: '中文' },
  { name: 'Big5 from HTTP charset', bytes: xml(undefined, hex('a4 a4 a4 e5')), contentType: 'application/xml; charset=big5', encoding: 'big5', text: '中文' },
  { name: 'no label, not UTF-8: windows-1252 fallback', bytes: xml(undefined, hex('e9 74 e9')), encoding: 'windows-1252', text: 'été' },
  {
    name: 'header says ISO-8859-1 but bytes are UTF-8',
    bytes: xml(undefined, Buffer.from('“smart” é', 'utf8')),
    contentType: 'application/rss+xml; charset=ISO-8859-1',
    encoding: 'utf-8',
    text: '“smart” é',
    lint: ['charset_mislabeled'],
  },
  { name: 'prolog says ISO-8859-1 but bytes are UTF-8', bytes: xml('ISO-8859-1', Buffer.from('Zoë’s', 'utf8')), encoding: 'utf-8', text: 'Zoë’s', lint: ['charset_mislabeled'] },
  { name: 'prolog says UTF-8 but bytes are windows-1252', bytes: xml('UTF-8', hex('93 68 69 94')), encoding: 'windows-1252', text: '“hi”', lint: ['charset_mislabeled'] },
  { name: 'pure ASCII under any label is not mislabeled', bytes: xml('ISO-8859-1', Buffer.from('plain', 'ascii')), contentType: 'text/xml; charset=koi8-r', encoding: 'utf-8', text: 'plain' },
  // What counts as valid UTF-8 (the second piece of evidence): overlong forms, encoded
  // surrogates, code points past U+10FFFF and cut-off sequences are not, so these fall back.
  { name: 'overlong UTF-8 form is not UTF-8', bytes: xml(undefined, hex('c0 af')), encoding: 'windows-1252', text: 'À¯' },
  { name: 'encoded surrogate (CESU-8) is not UTF-8', bytes: xml(undefined, hex('ed a0 80')), encoding: 'windows-1252', text: 'í\u00a0€' },
  { name: 'code point past U+10FFFF is not UTF-8', bytes: xml(undefined, hex('f5 80 80 80')), encoding: 'windows-1252', text: 'õ€€€' },
  { name: 'cut-off sequence is not UTF-8', bytes: xml(undefined, hex('41 e2 80')), encoding: 'windows-1252', text: 'Aâ€' },
  { name: '4-byte UTF-8 (emoji) is UTF-8', bytes: xml(undefined, Buffer.from('a😀b', 'utf8')), encoding: 'utf-8', text: 'a😀b' },
  { name: 'control characters removed', bytes: xml('utf-8', Buffer.from('a\u0001b\u0008c\u000Bd\tok\uFFFEe', 'utf8')), encoding: 'utf-8', text: 'abcd\toke', lint: ['control_characters'] },
];

describe('decodeFeedBytes', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const out = decodeFeedBytes(c.bytes, c.contentType);
      assert.equal(out.encoding, c.encoding);
      assert.equal(inner(out.text), c.text);
      assert.deepEqual(out.lint.map((l) => l.code), c.lint ?? []);
    });
  }

  it('counts removed control characters', () => {
    const out = decodeFeedBytes(Buffer.from('<rss>\u0001\u0002\u0003</rss>'));
    assert.equal(out.lint[0]?.count, 3);
  });

  it('removes lone surrogates decoded from UTF-16', () => {
    const body = Buffer.concat([hex('fffe'), Buffer.from('<a>', 'utf16le'), hex('00d8'), Buffer.from('x</a>', 'utf16le')]);
    const out = decodeFeedBytes(body);
    assert.equal(out.text, '<a>x</a>');
    assert.deepEqual(out.lint.map((l) => l.code), ['control_characters']);
  });

  it('drops the encoding declaration so the XML parser reads decoded text', () => {
    const out = decodeFeedBytes(xml('KOI8-R', hex('f0')));
    assert.match(out.text, /^<\?xml version="1.0"\?><rss>/);
  });

  it('rejects an empty body with a DecodeError', () => {
    assert.throws(() => decodeFeedBytes(Buffer.alloc(0)), (e: unknown) => e instanceof DecodeError && /^decode: /.test(e.message));
  });
});
