import assert from 'node:assert/strict';
import { discoverFeeds, looksLikeHtml } from '../src/ingest/discover.js';

const PAGE = 'https://news.example.com/section/page.html';

describe('discover: discoverFeeds', () => {
  const cases: { name: string; html: string; base?: string; want: { url: string; type: string; title?: string }[] }[] = [
    {
      name: 'one RSS link with title',
      html: '<html><head><link rel="alternate" type="application/rss+xml" href="/feed.xml" title="  News\n  RSS "></head></html>',
      want: [{ url: 'https://news.example.com/feed.xml', type: 'application/rss+xml', title: 'News RSS' }],
    },
    {
      name: 'best first: JSON Feed, Atom, RSS, then plain JSON; document order breaks ties',
      html: `<head>
        <link rel="alternate" type="application/json" href="/wp-json/wp/v2/posts">
        <link rel="alternate" type="application/rss+xml" href="rss1.xml" title="RSS one">
        <link rel="alternate" type="application/atom+xml" href="atom.xml">
        <link rel="alternate" type="application/rss+xml" href="rss2.xml" title="RSS two">
        <link rel="alternate" type="application/feed+json" href="feed.json">
      </head>`,
      want: [
        { url: 'https://news.example.com/section/feed.json', type: 'application/feed+json' },
        { url: 'https://news.example.com/section/atom.xml', type: 'application/atom+xml' },
        { url: 'https://news.example.com/section/rss1.xml', type: 'application/rss+xml', title: 'RSS one' },
        { url: 'https://news.example.com/section/rss2.xml', type: 'application/rss+xml', title: 'RSS two' },
        { url: 'https://news.example.com/wp-json/wp/v2/posts', type: 'application/json' },
      ],
    },
    {
      name: 'rel token list and case, type case and parameters',
      html: '<LINK REL="Alternate  Feed" TYPE="Application/RSS+XML; charset=utf-8" HREF="/a.xml"><link rel="feed alternate" type="application/atom+xml" href="/b.xml">',
      want: [
        { url: 'https://news.example.com/b.xml', type: 'application/atom+xml' },
        { url: 'https://news.example.com/a.xml', type: 'application/rss+xml' },
      ],
    },
    {
      name: '<base href> wins over the page URL',
      html: '<head><base href="https://cdn.example.net/static/"><link rel="alternate" type="application/rss+xml" href="feed.xml"></head>',
      want: [{ url: 'https://cdn.example.net/static/feed.xml', type: 'application/rss+xml' }],
    },
    {
      name: 'a relative <base href> resolves against the page URL; only the first <base> counts',
      html: '<base href="/feeds/"><base href="https://other.example/"><link rel="alternate" type="application/rss+xml" href="all.xml">',
      want: [{ url: 'https://news.example.com/feeds/all.xml', type: 'application/rss+xml' }],
    },
    {
      name: 'duplicates (same URL after resolution and without fragment) kept once, best type',
      html: `<link rel="alternate" type="application/rss+xml" href="/feed">
        <link rel="alternate" type="application/rss+xml" href="https://news.example.com/feed#top">
        <link rel="alternate" type="application/atom+xml" href="../feed">`,
      want: [{ url: 'https://news.example.com/feed', type: 'application/atom+xml' }],
    },
    {
      name: 'entities in href decoded',
      html: '<link rel="alternate" type="application/rss+xml" href="/feed?a=1&amp;b=2">',
      want: [{ url: 'https://news.example.com/feed?a=1&b=2', type: 'application/rss+xml' }],
    },
    {
      name: 'ignored: stylesheets, other rels, other types, missing or empty href, non-http schemes',
      html: `<link rel="alternate stylesheet" type="text/css" href="/alt.css">
        <link rel="stylesheet" type="application/rss+xml" href="/not-alternate.xml">
        <link rel="alternate" hreflang="fr" href="/fr/">
        <link rel="alternate" type="application/rss+xml">
        <link rel="alternate" type="application/rss+xml" href="">
        <link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">
        <link rel="alternate" type="application/rss+xml" href="ftp://example.com/feed">
        <a rel="alternate" type="application/rss+xml" href="/anchor.xml">x</a>`,
      want: [],
    },
    {
      name: 'absolute hrefs on another host kept as they are',
      html: '<link rel="alternate" type="application/atom+xml" href="https://feeds.example.org/atom">',
      want: [{ url: 'https://feeds.example.org/atom', type: 'application/atom+xml' }],
    },
    { name: 'no links', html: '<html><body><p>hello</p></body></html>', want: [] },
    { name: 'not HTML at all', html: 'just text', want: [] },
    { name: 'a page URL that is not http(s)', html: '<link rel="alternate" type="application/rss+xml" href="/f">', base: 'file:///tmp/x.html', want: [] },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(discoverFeeds(c.html, c.base ?? PAGE), c.want));
  }
});

describe('discover: looksLikeHtml', () => {
  const cases: { name: string; body: Buffer | string; contentType?: string; want: boolean }[] = [
    { name: 'doctype', body: '<!DOCTYPE html><html><head></head></html>', want: true },
    { name: 'lower-case doctype after whitespace', body: '\n\n  <!doctype html>\n<html>', want: true },
    { name: 'bare <html>', body: '<html lang="en">', want: true },
    { name: 'BOM, comment then doctype', body: '\uFEFF<!-- generated --><!DOCTYPE html><html>', want: true },
    { name: 'UTF-8 BOM bytes then <html>', body: Buffer.from('\uFEFF<html><body>', 'utf8'), want: true },
    { name: 'UTF-16LE page', body: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('<!DOCTYPE html><html>', 'utf16le')]), want: true },
    { name: 'XHTML with XML declaration', body: '<?xml version="1.0"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "x"><html xmlns="http://www.w3.org/1999/xhtml">', want: true },
    { name: 'text/html content type and an unclear body', body: '<head><title>x</title>', contentType: 'text/html; charset=utf-8', want: true },
    { name: 'xhtml content type', body: '<p>x</p>', contentType: 'application/xhtml+xml', want: true },
    { name: 'RSS 2.0', body: '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>', want: false },
    { name: 'RSS served as text/html', body: '<?xml version="1.0"?><rss version="2.0">', contentType: 'text/html', want: false },
    { name: 'RSS 0.91 with its doctype, as text/html', body: '<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "x"><rss version="0.91">', contentType: 'text/html', want: false },
    { name: 'Atom served as text/html', body: Buffer.from('\uFEFF<?xml version="1.0"?><!-- c --><feed xmlns="http://www.w3.org/2005/Atom">'), contentType: 'text/html', want: false },
    { name: 'RSS 1.0 (RDF)', body: '<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">', contentType: 'text/html', want: false },
    { name: 'JSON Feed served as text/html', body: ' {"version":"https://jsonfeed.org/version/1.1","items":[]}', contentType: 'text/html', want: false },
    { name: 'XML content type, unknown root', body: '<something/>', contentType: 'application/xml', want: false },
    { name: 'no content type, plain text', body: 'hello', want: false },
    { name: 'empty', body: '', want: false },
    { name: 'an unterminated comment', body: '<!-- never ends', contentType: 'application/rss+xml', want: false },
  ];
  for (const c of cases) {
    it(c.name, () => assert.equal(looksLikeHtml(c.body, c.contentType), c.want));
  }
});
