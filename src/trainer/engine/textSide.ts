import * as path from 'node:path';
import type { ChatTemplate, ModelConfig, TextTokenizer } from './types';
import { readHfConfig } from './hfConfig';
import { loadTokenizer, readTokenizerConfig } from './tokenizer';
import { loadChatTemplate } from './chatTemplate';
import { requireModelFolder } from '../../core/node/modelFolder';

/**
 * A model folder's text side — config, tokenizer and chat template — without its weights (no TensorFlow.js):
 * what loadModel uses, and all that `clinical-ft inspect` needs.
 */
export function loadTextSide(dir: string): { config: ModelConfig; tokenizer: TextTokenizer; chatTemplate?: ChatTemplate } {
  requireModelFolder(dir);
  const config = readHfConfig(dir);
  const tokConfig = readTokenizerConfig(dir);
  const tokenizer = loadTokenizer(dir, config, tokConfig);
  const chatTemplate = loadChatTemplate(tokConfig, path.join(dir, 'tokenizer_config.json'));
  return { config, tokenizer, ...(chatTemplate ? { chatTemplate } : {}) };
}
