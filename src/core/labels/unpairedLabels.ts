import type { Label } from './prefsRecord';

/**
 * What a labeled candidate pair means for KTO, which needs no pairs — one rule for training on a labeled file:
 * the preferred answer desirable and the other undesirable; a tie two desirable; both bad two undesirable;
 * unlabeled nothing. A pair file without labels (chosen/rejected as written) is `label` 'A'.
 */
export function unpairedFromLabel<T>(a: T, b: T, label: Label | undefined): { completion: T; desirable: boolean }[] {
  switch (label) {
    case 'A':
      return [{ completion: a, desirable: true }, { completion: b, desirable: false }];
    case 'B':
      return [{ completion: b, desirable: true }, { completion: a, desirable: false }];
    case 'tie':
      return [{ completion: a, desirable: true }, { completion: b, desirable: true }];
    case 'both_bad':
      return [{ completion: a, desirable: false }, { completion: b, desirable: false }];
    default:
      return [];
  }
}
