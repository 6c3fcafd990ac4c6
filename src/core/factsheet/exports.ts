// The four exports of a fact sheet as files (name → text): Markdown (+ its SVG charts), a self-contained HTML
// page, HTI-1 source attributes as JSON, and the CHAI Applied Model Card as XML. The CLI and the panel both
// write exactly these.
import type { Answers } from './answers';
import { buildFactSheet } from './document';
import type { FactSheetInputs } from './inputs';
import { factSheetHtml, factSheetMarkdown, markdownCharts } from './renderText';
import { hti1Json } from './hti1';
import { chaiModelCardXml } from './chaiXml';

export const EXPORT_FORMATS = ['md', 'html', 'json', 'chai'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export function factSheetFiles(inputs: FactSheetInputs, answers: Answers, formats: readonly ExportFormat[], stem = 'factsheet'): { name: string; text: string }[] {
  const doc = buildFactSheet(inputs, answers);
  const files: { name: string; text: string }[] = [];
  for (const f of formats) {
    if (f === 'md') {
      files.push({ name: `${stem}.md`, text: factSheetMarkdown(doc) });
      for (const [name, text] of markdownCharts(doc)) files.push({ name, text });
    } else if (f === 'html') files.push({ name: `${stem}.html`, text: factSheetHtml(doc) });
    else if (f === 'json') files.push({ name: `${stem}.json`, text: `${JSON.stringify(hti1Json(inputs, answers), null, 2)}\n` });
    else files.push({ name: `${stem}.xml`, text: chaiModelCardXml(inputs, answers) });
  }
  return files;
}
