// Fact sheet assembly (src/core/factsheet): the evaluation table's mean ± sd over runs, per-subgroup metrics,
// annotator agreement, the person-written fields (never filled in), the 31 HTI-1 source attributes, the CHAI
// XML against the published schema, and the exports' self-containment.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { evaluationTable, subgroupTable, cellText } from '../../../src/core/factsheet/evaluationTable';
import { buildFactSheet } from '../../../src/core/factsheet/document';
import { factSheetHtml, factSheetMarkdown } from '../../../src/core/factsheet/renderText';
import { HTI1_ATTRIBUTES, hti1Json } from '../../../src/core/factsheet/hti1';
import { chaiModelCardXml, CHAI_NAMESPACE } from '../../../src/core/factsheet/chaiXml';
import { ANSWER_KEYS, NOT_ANSWERED, answersFileText, parseAnswersFile } from '../../../src/core/factsheet/answers';
import { chartGeometry, chartSvg } from '../../../src/core/factsheet/lossChart';
import { factSheetFiles } from '../../../src/core/factsheet/exports';
import { loadSchema, parseXml, validate } from '../../fixtures/chai/xsdSubset';
import { evaluation, sampleInputs } from './sampleInputs';

const root = process.env.CLINICAL_FT_ROOT ?? process.cwd();
const xsd = fs.readFileSync(path.join(root, 'test/fixtures/chai/schema-v0.2.xsd'), 'utf8');

test('evaluation table: rows base → SFT → DPO, each cell mean ± sample sd over the runs of the row', () => {
  const inputs = sampleInputs();
  const t = evaluationTable([...inputs.evaluations].reverse());
  assert.deepEqual(t.rows.map((r) => r.model), ['base', 'SFT', 'DPO']);
  const sft = t.rows[1].cells[0].summary!;
  assert.equal(sft.n, 2);
  assert.ok(Math.abs(sft.mean - 0.6) < 1e-12);
  assert.ok(Math.abs(sft.sd - Math.sqrt(0.02)) < 1e-12); // sample sd of 0.5, 0.7
  assert.equal(cellText(t.rows[1].cells[0]), '0.600 ± 0.141 (n=2)');
  assert.equal(cellText(t.rows[0].cells[0]), '0.200');
  const md = factSheetMarkdown(buildFactSheet(inputs, {}));
  assert.match(md, /\| SFT \| 0\.600 ± 0\.141 \(n=2\) \|/);
  assert.match(md, /\| DPO \| 0\.700 ± 0\.141 \(n=2\) \|/);
});

test('per-subgroup metrics: mean per-example score within each meta.subgroup, then mean ± sd over runs; "not available" without subgroups', () => {
  const ex = (a: number[], b: number[]) => [...a.map((score) => ({ score, subgroup: 'adult' })), ...b.map((score) => ({ score, subgroup: 'pediatric' })), { score: 1, subgroup: null }];
  const evals = [evaluation('SFT', 's1', { f1: 0.5 }, ex([1, 0], [0, 0])), evaluation('SFT', 's2', { f1: 0.5 }, ex([1, 1], [1, 0]))];
  const s = subgroupTable(evals)!;
  assert.deepEqual(s.subgroups, ['adult', 'pediatric']);
  const [adult, peds] = s.rows[0].cells;
  assert.equal(adult.summary!.mean, 0.75); // runs: 0.5 and 1.0
  assert.equal(adult.examples, 4);
  assert.equal(peds.summary!.mean, 0.25); // runs: 0 and 0.5
  const md = factSheetMarkdown(buildFactSheet(sampleInputs({ evaluations: evals }), {}));
  assert.match(md, /\| Model \| adult \| pediatric \|/);
  assert.match(md, /\| SFT \| 0\.750 ± 0\.354 \(n=2\) \[4 ex\.\] \| 0\.250 ± 0\.354 \(n=2\) \[4 ex\.\] \|/);
  assert.equal(subgroupTable(sampleInputs().evaluations), undefined);
  assert.match(factSheetMarkdown(buildFactSheet(sampleInputs(), {})), /Not available: no evaluated record carries meta\.subgroup/);
});

test('annotator agreement: kappa and counts when two annotators labeled; "Not available" with the reason otherwise', () => {
  const withAgreement = sampleInputs({
    agreement: { files: [{ path: '/l/a.prefs.jsonl', bytes: 1, sha256: '11'.repeat(32) }, { path: '/l/b.prefs.jsonl', bytes: 1, sha256: '22'.repeat(32) }], annotators: ['ana', 'ben'], shared: 12, kappa: 0.6153846, observed: 0.75, disagreements: 3 },
  });
  const md = factSheetMarkdown(buildFactSheet(withAgreement, {}));
  assert.match(md, /\| Cohen's kappa \| 0\.615 \|/);
  assert.match(md, /\| Annotators \| ana vs ben \|/);
  assert.match(md, /\| Pairs labeled by both \| 12 \|/);
  assert.match(factSheetMarkdown(buildFactSheet(sampleInputs(), {})), /Not available: no preference labels from two annotators were found\./);
});

test('person-written fields: unanswered ones are marked in every export, answered ones appear as written', () => {
  const answers = { intendedUse: 'Draft triage labels for portal messages; a nurse decides.' };
  const files = new Map(factSheetFiles(sampleInputs(), answers, ['md', 'html', 'json', 'chai']).map((f) => [f.name, f.text]));
  assert.match(files.get('factsheet.md')!, /\*\*Intended use:\*\* Draft triage labels for portal messages; a nurse decides\./);
  assert.match(files.get('factsheet.md')!, new RegExp(`\\*\\*Intended users:\\*\\* _${NOT_ANSWERED}_`));
  assert.ok(files.get('factsheet.html')!.includes(NOT_ANSWERED));
  assert.ok(files.get('factsheet.xml')!.includes(`<IntendedUseAndWorkflow>${answers.intendedUse}</IntendedUseAndWorkflow>`));
  assert.ok(files.get('factsheet.xml')!.includes(`<PrimaryIntendedUsers>${NOT_ANSWERED}</PrimaryIntendedUsers>`));
  // The tool writes nothing a person has to: every answer block of the document is null without answers.
  const blank = buildFactSheet(sampleInputs(), {}).sections.flatMap((s) => s.blocks).filter((b) => b.kind === 'answer');
  assert.equal(blank.length, ANSWER_KEYS.length);
  assert.ok(blank.every((b) => b.kind === 'answer' && b.value === null));
});

test('answers file: round trip, blanks stay blank, a bad file names the file and field', () => {
  const text = answersFileText({ intendedUse: 'x', knownRisks: '' }, new Date('2026-01-01T00:00:00Z'));
  const r = parseAnswersFile(text, 'factsheet.answers.json');
  assert.ok(r.ok);
  assert.deepEqual(r.ok && r.answers, { intendedUse: 'x', knownRisks: '' });
  const bad = parseAnswersFile('{"version":1,"updatedAt":"t","answers":{"intendedUse":3}}', '/r/factsheet.answers.json');
  assert.ok(!bad.ok && bad.error.startsWith('/r/factsheet.answers.json: answers.intendedUse:'), JSON.stringify(bad));
  assert.ok(!parseAnswersFile('{"version":1,"updatedAt":"t","answers":{"madeUp":"x"}}', 'f').ok);
});

test('HTI-1: exactly the 31 source attributes of 170.315(b)(11)(iv)(A) in nine categories, blanks marked not_answered', () => {
  assert.equal(HTI1_ATTRIBUTES.length, 31);
  assert.equal(new Set(HTI1_ATTRIBUTES.map((a) => a.ref)).size, 31);
  const perCategory = [...new Set(HTI1_ATTRIBUTES.map((a) => a.category))].map((c) => HTI1_ATTRIBUTES.filter((a) => a.category === c).length);
  assert.deepEqual(perCategory, [4, 4, 2, 4, 2, 4, 5, 4, 2]);
  const j = hti1Json(sampleInputs(), { intendedUse: 'Triage support', population: '' });
  assert.equal(j.attributes.length, 31);
  assert.deepEqual(j.attributes.map((a) => a.number), Array.from({ length: 31 }, (_, i) => i + 1));
  const byRef = new Map(j.attributes.map((a) => [a.ref, a]));
  assert.deepEqual([byRef.get('2(i)')!.status, byRef.get('2(i)')!.value], ['answered_by_person', 'Triage support']);
  assert.deepEqual([byRef.get('2(ii)')!.status, byRef.get('2(ii)')!.value], ['not_answered', null]);
  assert.equal(byRef.get('7(i)')!.status, 'from_artifacts');
  assert.match(byRef.get('7(i)')!.value!, /SFT: Metric f1 \(triage\.eval\.sft\.jsonl\) 0\.600 ± 0\.141 \(n=2\)/);
  assert.equal(byRef.get('7(ii)')!.status, 'not_answered'); // no subgroups in these evaluations
  for (const a of j.attributes) assert.equal(a.value === null, a.status === 'not_answered');
  const answeredCount = j.attributes.filter((a) => a.status !== 'not_answered').length;
  assert.equal(answeredCount, 2);
});

test('CHAI XML: well-formed (parsed back, also by Python when present) and valid against the published v0.2 schema', () => {
  const hostile = { intendedUse: 'Use <b>only</b> for "triage" & review; it\'s a draft\u0001.', clinicalRiskLevel: 'Moderate' };
  const withSub = sampleInputs({ evaluations: [evaluation('SFT', 's1', { f1: 0.5 }, [{ score: 1, subgroup: 'adult' }])] });
  for (const [inputs, answers] of [[sampleInputs(), {}], [withSub, hostile]] as const) {
    const xml = chaiModelCardXml(inputs, answers);
    const doc = parseXml(xml);
    assert.equal(doc.name, 'AppliedModelCard');
    assert.equal(doc.attrs.xmlns, CHAI_NAMESPACE);
    assert.deepEqual(validate(loadSchema(xsd), doc), []);
    const py = spawnSync('python3', ['-c', 'import sys, xml.etree.ElementTree as E; r = E.fromstring(sys.stdin.buffer.read()); print(r.tag)'], { input: xml, encoding: 'utf8' });
    if (py.status !== null && !py.error) assert.equal(py.stdout.trim(), `{${CHAI_NAMESPACE}}AppliedModelCard`, py.stderr);
  }
  const text = parseXml(chaiModelCardXml(withSub, hostile));
  const uses = text.children.find((c) => c.name === 'UsesAndDirections')!;
  assert.equal(uses.children[0].text, 'Use <b>only</b> for "triage" & review; it\'s a draft.');
});

test('the schema check is real: the CHAI examples pass, a card missing or reordering a required element fails', () => {
  const schema = loadSchema(xsd);
  for (const example of ['Aidoc_AD-01.xml', 'OrbDoc_Voice-to-SOAP.xml']) {
    assert.deepEqual(validate(schema, parseXml(fs.readFileSync(path.join(root, 'test/fixtures/chai', example), 'utf8'))), [], example);
  }
  const xml = chaiModelCardXml(sampleInputs(), {});
  assert.ok(validate(schema, parseXml(xml.replace(/<ClinicalRiskLevel>[^<]*<\/ClinicalRiskLevel>/, ''))).includes('AppliedModelCard/Warnings: expected <ClinicalRiskLevel>, found the end'));
  const swapped = xml.replace(/(<ModelDeveloper>[^<]*<\/ModelDeveloper>)(\s*)(<DeveloperContact>[^<]*<\/DeveloperContact>)/, '$3$2$1');
  assert.notDeepEqual(validate(schema, parseXml(swapped)), []);
  assert.throws(() => parseXml('<a><b></a></b>'), /mismatched/);
  assert.throws(() => parseXml('<a>x & y</a>'), /bare "&"/);
});

test('HTML export is self-contained: inline SVG, no script, no external resource', () => {
  const html = factSheetHtml(buildFactSheet(sampleInputs(), { knownRisks: '<script>alert(1)</script>' }));
  assert.match(html, /<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.ok(!/<script|\ssrc=|\shref=|url\(|@import/i.test(html.replace(/xmlns="[^"]*"/g, '')));
  assert.ok(html.includes('&#60;script&#62;alert(1)&#60;/script&#62;'));
});

test('loss chart: one path per series through every point, scaled into the plot; nothing to draw → no chart', () => {
  const g = chartGeometry('Loss', [{ name: 'train loss', points: [[1, 2], [2, 1], [3, 0.5]] }, { name: 'eval loss', points: [] }])!;
  assert.equal(g.lines.length, 1);
  const pts = [...g.lines[0].path.matchAll(/[ML]([\d.]+) ([\d.]+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
  assert.equal(pts.length, 3);
  assert.deepEqual([pts[0][0], pts[2][0]], [g.plot.left, g.plot.right]);
  assert.deepEqual([pts[0][1], pts[2][1]], [g.plot.top, g.plot.bottom]); // highest loss at the top
  assert.equal(parseXml(chartSvg(g)).name, 'svg');
  assert.equal(chartGeometry('x', [{ name: 'a', points: [] }]), undefined);
});
