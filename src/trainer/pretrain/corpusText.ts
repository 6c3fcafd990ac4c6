import type { CorpusDocument } from './clinicalCorpus';
import { renderChat } from './tokenizerFiles';

/** A corpus document as the text the model reads: prose as is, chats through the chat template. */
export function corpusText(doc: CorpusDocument): string {
  return doc.messages ? renderChat(doc.messages) : doc.text;
}
