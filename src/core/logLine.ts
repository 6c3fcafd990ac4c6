/**
 * One log line from any text: control characters (newline, CR, ESC and the rest of C0/C1, DEL) and Unicode
 * line/paragraph separators are written as escapes, so a value from a config, a dataset or an error
 * message can neither start a forged log line nor drive a terminal that displays the log.
 */
export function escapeControlChars(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}
