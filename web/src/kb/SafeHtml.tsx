import { createElement, type ReactNode } from 'react';

/*
 * An article's HTML as React elements. The server already sanitised it (cmark's safe mode);
 * this is the second line: the HTML is parsed into an inert document (DOMParser runs no
 * script and loads nothing), then only whitelisted tags and attributes become elements, and
 * links and images keep only http(s), mailto and in-app (#) addresses. No innerHTML anywhere.
 */

const TAGS = new Set([
  'p', 'br', 'hr', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'ul', 'ol', 'li', 'blockquote', 'pre', 'code',
  'em', 'strong', 'del', 'a', 'img', 'table', 'thead', 'tbody', 'tr', 'th', 'td',
]);
const VOID = new Set(['br', 'hr', 'img']);

function safeUrl(url: string, image: boolean): string | null {
  const u = url.trim();
  if (u.startsWith('#')) return image ? null : u;
  if (/^https?:\/\//i.test(u)) return u;
  if (!image && /^mailto:/i.test(u)) return u;
  return null;
}

function convert(node: Node, key: string): ReactNode {
  if (node.nodeType === Node.TEXT_NODE) return node.textContent;
  if (node.nodeType !== Node.ELEMENT_NODE) return null; // comments ("raw HTML omitted") and the rest
  const el = node as Element;
  const tag = el.tagName.toLowerCase();
  const children = Array.from(el.childNodes).map((c, i) => convert(c, `${key}.${i}`));
  if (!TAGS.has(tag)) return children; // keep the text of an unknown element, drop the element
  const props: Record<string, string> = { key };
  if (tag === 'a') {
    const href = safeUrl(el.getAttribute('href') ?? '', false);
    if (href) {
      props.href = href;
      if (!href.startsWith('#')) {
        props.target = '_blank';
        props.rel = 'noopener noreferrer';
      }
    }
  }
  if (tag === 'img') {
    const src = safeUrl(el.getAttribute('src') ?? '', true);
    if (!src) return null;
    props.src = src;
    props.alt = el.getAttribute('alt') ?? '';
  }
  const title = el.getAttribute('title');
  if (title && (tag === 'a' || tag === 'img')) props.title = title;
  return VOID.has(tag) ? createElement(tag, props) : createElement(tag, props, ...children);
}

export function SafeHtml({ html, className }: { html: string; className?: string }) {
  const doc = new DOMParser().parseFromString(`<body>${html}</body>`, 'text/html');
  return <div className={className}>{Array.from(doc.body.childNodes).map((n, i) => convert(n, String(i)))}</div>;
}
