/**
 * Text from the database (model, dataset, backend and class names, file names) placed into
 * GitHub-flavoured Markdown — `compare --format md` (the pull-request comment) and
 * `leaderboard --format md` — so that it reads as the same text and can do nothing else: no new
 * line (a forged row or heading), no table cell boundary, no emphasis, code, HTML or comment (the
 * hidden marker `--post` finds its comment by), no link or autolink, no @mention.
 *
 * CommonMark lets a backslash escape any ASCII punctuation (spec 0.31, section 2.4), table cells
 * take `\|` (GFM spec, section 4.10). Escaping does not stop GitHub's @mentions, which it finds
 * in the rendered text, so a zero-width space follows every `@`.
 */

/** Characters with a meaning inline: escape, code, emphasis, strikethrough, links, HTML, entities, cells. */
const INLINE = /[\\`*_~[\]<>!&|]/g;

/** One line of inert Markdown text, safe in a paragraph, a heading, link text or a table cell. */
export function mdText(s: string): string {
  return (
    s
      // Line breaks and other control characters (and U+2028/2029) become one space.
      // eslint-disable-next-line no-control-regex -- matching control characters is the point
      .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ')
      .replace(INLINE, (c) => `\\${c}`)
      // GFM extended autolinks start at `scheme://` or `www.`; an escaped `:` or `.` ends them.
      .replace(/:\/\//g, '\\://')
      .replace(/\b(www)\./gi, '$1\\.')
      .replace(/@/g, '@\u200b')
  );
}

/** `[text](url)` for an http(s) URL (percent-encoded, in angle brackets), else the text alone. */
export function mdLink(text: string, url: string | null): string {
  if (url == null) return mdText(text);
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return mdText(text);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return mdText(text);
  return `[${mdText(text)}](<${u.href.replace(/[<>\s]/g, encodeURIComponent)}>)`;
}

/** A GFM table; every cell is {@link mdText}, null as an en dash. */
export function mdTable(header: string[], rows: Array<Array<string | number | null>>, numericCols: boolean[] = []): string {
  return [
    `| ${header.map(mdText).join(' | ')} |`,
    `| ${header.map((_, i) => (numericCols[i] ? '---:' : '---')).join(' | ')} |`,
    ...rows.map((r) => `| ${r.map((c) => (c == null ? '–' : mdText(String(c)))).join(' | ')} |`),
  ].join('\n');
}
