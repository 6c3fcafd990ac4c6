import * as os from 'node:os';
import { configuredAnnotator } from '../settings';

/** Who is labeling: setting clinicalFt.annotator (user settings only), else the OS user (labels must always name someone). */
export function annotatorName(): string {
  const configured = configuredAnnotator();
  if (configured) return configured;
  try {
    const user = os.userInfo().username;
    if (user) return user;
  } catch {
    // userInfo throws when the uid has no passwd entry (some containers).
  }
  return process.env.USER || process.env.USERNAME || 'annotator';
}
