/**
 * The pull-request comment for a comparison. The comparison itself (metrics against --threshold,
 * speed against the measured run-to-run spread) is @pixelwise/db's `compareRuns`, shared with the
 * dashboard. Every name taken from a run goes through `mdText` (markdown.ts): a model called
 * "x\n<!-- pixelwise-compare -->" adds no line and no second marker.
 */
import { signed, type Comparison, type RunLike } from '@pixelwise/db';
import { mdLink, mdText } from './markdown.js';

export const COMMENT_MARKER = '<!-- pixelwise-compare -->';

const pct = (v: number | null) => (v == null ? '–' : `${(v * 100).toFixed(2)}`);

const ICON: Record<Comparison['verdict'], string> = {
  regression: '🔴',
  improvement: '🟢',
  mixed: '🟡',
  'no significant change': '⚪',
};

/** The pull-request comment. Starts with a hidden marker so `--post` can find and update it. */
export function comparisonMarkdown(c: Comparison): string {
  const who = (r: RunLike) => mdLink(r.label, r === c.base ? c.links.base : c.links.head);
  const lines = [
    COMMENT_MARKER,
    `## pixelwise: ${mdText(c.head.model ?? 'run')} — ${who(c.base)} → ${who(c.head)}`,
    '',
    `${ICON[c.verdict]} **${c.verdict[0]?.toUpperCase()}${c.verdict.slice(1)}**: ${mdText(c.summary)}.`,
    '',
    `| metric | base | head | Δ |`,
    `| --- | ---: | ---: | ---: |`,
    ...c.metrics.map((m) => `| ${m.name} % | ${pct(m.base)} | ${pct(m.head)} | ${m.deltaPp == null ? '–' : `${signed(m.deltaPp)} pp`}${m.significant ? ' ⚠️' : ''} |`),
  ];
  if (c.speed) {
    const s = c.speed;
    lines.push(`| FPS | ${s.baseFps.toFixed(1)} | ${s.headFps.toFixed(1)} | ${signed(s.deltaPct, 1)}%${s.significant ? ' ⚠️' : ' (noise)'} |`);
    if (s.baseP50 != null && s.headP50 != null) lines.push(`| p50 latency ms | ${s.baseP50.toFixed(2)} | ${s.headP50.toFixed(2)} | ${signed(((s.headP50 - s.baseP50) / s.baseP50) * 100, 1)}% |`);
    lines.push('', `FPS changes within ±${s.noisePct.toFixed(1)}% are treated as noise (${s.noiseSource}).`);
  }
  if (c.classes.length) {
    lines.push('', `<details><summary>${c.classes.length} class(es) with IoU changes beyond ${c.thresholdPct} pp</summary>`, '', '| class | base IoU % | head IoU % | Δ |', '| --- | ---: | ---: | ---: |');
    for (const k of c.classes) lines.push(`| ${k.id} ${mdText(k.name)} | ${pct(k.base)} | ${pct(k.head)} | ${k.deltaPp == null ? '–' : `${signed(k.deltaPp)} pp`} |`);
    lines.push('', '</details>');
  } else {
    lines.push('', `No class IoU changed by more than ${c.thresholdPct} pp.`);
  }
  const how = (r: RunLike) => mdText([r.model, r.dataset, r.backend].filter(Boolean).join(', '));
  lines.push('', `base: ${mdText(c.base.label)}${how(c.base) ? ` (${how(c.base)})` : ''}; head: ${mdText(c.head.label)}${how(c.head) ? ` (${how(c.head)})` : ''}.`);
  if (c.links.compare) lines.push(`Dashboard: ${mdLink('comparison', c.links.compare)} · ${mdLink('base run', c.links.base)} · ${mdLink('head run', c.links.head)}`);
  return `${lines.join('\n')}\n`;
}
