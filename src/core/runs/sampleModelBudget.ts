/**
 * What the bundled 1 M-parameter sample model needs to learn a sample task (measured by `npm run demo`):
 * far higher learning rates and more steps than a real model, because it is tiny. Used by the demo and by
 * "Try it on the sample data", so both train the same way.
 */
export const SAMPLE_MODEL_SFT = {
  steps: 200,
  lr: 5e-3,
  batchSize: 8,
  maxLength: 384,
  lora: { r: 8, alpha: 16, targets: ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] as const },
} as const;
