// An Ollama Modelfile for the exported GGUF. Ollama's TEMPLATE is a Go template, not Jinja, so the model's own
// chat template is rendered on marker messages and the text around each role's content becomes the Go
// template: whatever the Jinja does for a system/user/assistant turn, the Modelfile does the same.
import type { ChatTemplate } from '../engine/types';

export interface RoleFrame {
  system?: { before: string; after: string };
  user: { before: string; after: string };
  assistant: { before: string; after: string };
  /** Extra text the template puts before the first user turn when there is no system message (a default system prompt). */
  firstUserExtra: string;
  /** What add_generation_prompt appends after the last turn. */
  generation: string;
}

const MARK = { system: '\u0001SYSTEM\u0001', user: '\u0001USER\u0001', assistant: '\u0001ASSISTANT\u0001', user2: '\u0001USER2\u0001' };

/** Splits `text` at each marker (each must occur exactly once, in order): the texts between them. */
function splitAt(text: string, marks: string[]): string[] | undefined {
  const parts: string[] = [];
  let rest = text;
  for (const m of marks) {
    const i = rest.indexOf(m);
    if (i < 0 || rest.indexOf(m, i + 1) >= 0) return undefined;
    parts.push(rest.slice(0, i));
    rest = rest.slice(i + m.length);
  }
  parts.push(rest);
  return parts;
}

/**
 * Finds each role's surrounding text by rendering marker conversations ([user, assistant], [user, assistant,
 * user], the same after a system message) and checking that the pieces reassemble each render exactly;
 * undefined when the template does something a per-role Go template cannot express.
 */
export function roleFrame(template: ChatTemplate, bos: string | undefined): RoleFrame | undefined {
  type Msg = { role: 'system' | 'user' | 'assistant'; content: string };
  const render = (msgs: Msg[], gen = false): string | undefined => {
    try {
      const t = template.render(msgs, { addGenerationPrompt: gen });
      // The BOS token is added by the tokenizer (llama.cpp and Ollama do that too): keep it out of the template.
      return bos && t.startsWith(bos) ? t.slice(bos.length) : t;
    } catch {
      return undefined;
    }
  };
  const U: Msg = { role: 'user', content: MARK.user };
  const A: Msg = { role: 'assistant', content: MARK.assistant };
  const U2: Msg = { role: 'user', content: MARK.user2 };
  const ua = render([U, A]);
  const uau = render([U, A, U2]);
  const uauGen = render([U, A, U2], true);
  if (ua === undefined || uau === undefined || uauGen === undefined || !uauGen.startsWith(uau)) return undefined;
  const assistantAfter = ua.slice(ua.indexOf(MARK.assistant) + MARK.assistant.length);
  const p = splitAt(uau, [MARK.user, MARK.assistant, MARK.user2]);
  if (!p || !ua.includes(MARK.assistant)) return undefined;
  const userAfter = p[3];
  if (!p[1].startsWith(userAfter) || !p[2].startsWith(assistantAfter)) return undefined;
  const assistantBefore = p[1].slice(userAfter.length);
  const userBefore = p[2].slice(assistantAfter.length);
  if (!p[0].endsWith(userBefore)) return undefined;
  const frame: RoleFrame = {
    user: { before: userBefore, after: userAfter },
    assistant: { before: assistantBefore, after: assistantAfter },
    firstUserExtra: p[0].slice(0, p[0].length - userBefore.length),
    generation: uauGen.slice(uau.length),
  };
  const suau = render([{ role: 'system', content: MARK.system }, U, A, U2]);
  const q = suau === undefined ? undefined : splitAt(suau, [MARK.system, MARK.user, MARK.assistant, MARK.user2]);
  if (q && q[1].endsWith(userBefore) && q[2] === p[1] && q[3] === p[2] && q[4] === p[3]) {
    frame.system = { before: q[0], after: q[1].slice(0, q[1].length - userBefore.length) };
  }
  // A longer conversation must reassemble too: a template that counts turns (not roles) fails here.
  const check = (msgs: Msg[]): boolean => render(msgs, true) === assemble(frame, msgs);
  const long: Msg[] = [U, A, U2, { role: 'assistant', content: 'a2' }, { role: 'user', content: 'u3' }];
  if (!check(long)) return undefined;
  if (frame.system && !check([{ role: 'system', content: 's' }, ...long])) delete frame.system;
  return frame;
}

/** What the Go template produces for a conversation ending in a user turn (BOS excluded), computed directly. */
export function assemble(f: RoleFrame, msgs: { role: string; content: string }[]): string {
  let out = '';
  msgs.forEach((m, i) => {
    const r = m.role === 'system' ? f.system : m.role === 'user' ? f.user : f.assistant;
    if (!r) return;
    if (m.role === 'user' && i === 0) out += f.firstUserExtra;
    out += r.before + m.content + r.after;
  });
  return out + f.generation;
}

/** Go template text: `{{` would start an action, so it is emitted through a string action instead. */
function goText(s: string): string {
  return s.split('{{').join('{{ "{{" }}');
}

/** One line of plain actions: a `{{-` would trim newlines that belong to the template's own text. */
export function goTemplate(f: RoleFrame): string {
  const turn = (r: { before: string; after: string }): string => `${goText(r.before)}{{ .Content }}${goText(r.after)}`;
  const extra = f.firstUserExtra ? `{{ if eq $i 0 }}${goText(f.firstUserExtra)}{{ end }}` : '';
  return [
    '{{ range $i, $_ := .Messages }}{{ $last := eq (len (slice $.Messages $i)) 1 }}',
    f.system ? `{{ if eq .Role "system" }}${turn(f.system)}{{ else if eq .Role "user" }}` : '{{ if eq .Role "user" }}',
    `${extra}${turn(f.user)}{{ else if eq .Role "assistant" }}${turn(f.assistant)}{{ end }}`,
    `{{ if and $last (ne .Role "assistant") }}${goText(f.generation)}{{ end }}{{ end }}`,
  ].join('');
}

export interface ModelfileInput {
  ggufFile: string;
  template?: ChatTemplate;
  bos?: string;
  /** Token texts that end a reply: the EOS token and the end of an assistant turn when it is a special token. */
  stops: string[];
  specialTokens: Set<string>;
  generationConfig?: Record<string, unknown>;
}

/** Returns the Modelfile text and, when the chat template could not be translated, why (the caller warns). */
export function ollamaModelfile(input: ModelfileInput): { text: string; warning?: string } {
  const lines = [`FROM ./${input.ggufFile}`];
  let warning: string | undefined;
  const stops = new Set(input.stops);
  if (input.template) {
    const frame = roleFrame(input.template, input.bos);
    if (frame) {
      const tpl = goTemplate(frame);
      if (tpl.includes('"""')) warning = 'the chat template contains """, which a Modelfile TEMPLATE cannot hold; TEMPLATE left out';
      else lines.push(`TEMPLATE """${tpl}"""`);
      if (!frame.system) warning = 'the chat template frames no system message the same way in every conversation; TEMPLATE has no system branch';
      for (const special of input.specialTokens) if (special && frame.assistant.after.includes(special)) stops.add(special);
    } else {
      warning = 'the chat template does not frame each role independently; TEMPLATE left out, Ollama will use its default';
    }
  } else {
    warning = 'the model has no chat template; TEMPLATE left out';
  }
  for (const s of stops) lines.push(`PARAMETER stop ${JSON.stringify(s)}`);
  const gen = input.generationConfig ?? {};
  const params: [string, string][] = [
    ['temperature', 'temperature'],
    ['top_p', 'top_p'],
    ['top_k', 'top_k'],
    ['repetition_penalty', 'repeat_penalty'],
  ];
  if (gen.do_sample === false) lines.push('PARAMETER temperature 0');
  for (const [hf, ollama] of params) {
    if (hf === 'temperature' && gen.do_sample === false) continue;
    const v = gen[hf];
    if (typeof v === 'number' && Number.isFinite(v)) lines.push(`PARAMETER ${ollama} ${v}`);
  }
  return { text: `${lines.join('\n')}\n`, ...(warning ? { warning } : {}) };
}
