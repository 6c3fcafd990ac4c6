// Pattern pieces both the detectors and the person-name finder build their expressions from (regex source).

/** A capitalised word in letters of any script: "Szöllössy" is one word, never "Sz". */
export const NAME_WORD = "\\p{Lu}[\\p{Ll}\\p{M}]+(?:[-'’]\\p{Lu}?[\\p{Ll}\\p{M}]+)?";

/** A bullet or placeholder mark that opens a line ("• ", "??? "). */
export const BULLET_MARK = '[?•·*]{1,3}[ \\t]+';

/** The same, optional. */
export const BULLET = `(?:${BULLET_MARK})?`;
