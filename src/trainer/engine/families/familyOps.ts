// Tensor math only some families use (Gemma 3), as composite tfjs ops with their gradients.
import * as tf from '@tensorflow/tfjs';
import { floatToBf16, halfToFloat, floatToHalf } from '../safetensors';

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/** gelu_pytorch_tanh(g) · u: 0.5·g·(1 + tanh(√(2/π)·(g + 0.044715·g³))) · u. */
export function geglu(g: tf.Tensor2D, u: tf.Tensor2D): tf.Tensor2D {
  const inner = tf.mul(tf.add(g, tf.mul(tf.pow(g, 3), 0.044715)), SQRT_2_OVER_PI);
  return tf.mul(tf.mul(tf.mul(g, 0.5), tf.add(tf.tanh(inner), 1)), u) as tf.Tensor2D;
}

/** cap · tanh(x / cap) (Gemma's soft-capping of attention scores and final logits). */
export function softcap<T extends tf.Tensor>(x: T, cap: number): T {
  return tf.mul(tf.tanh(tf.div(x, cap)), cap) as T;
}

/** The value a float32 number takes in a stored dtype (round to nearest even). */
export function roundToDtype(x: number, dtype: string): number {
  if (dtype === 'BF16') {
    const u = new Uint32Array([floatToBf16(x) << 16]);
    return new Float32Array(u.buffer)[0];
  }
  if (dtype === 'F16') return halfToFloat(floatToHalf(x));
  return Math.fround(x);
}

/**
 * Gemma's scaled embedding rows × √hidden as transformers computes them: the factor is cast to the embedding
 * weight's dtype and so is the product (a bf16 checkpoint: √1152 becomes 34.0, each product a bf16 value).
 * The gradient is the product's (scale · dy), as the rounding is not differentiated in transformers either.
 */
export function scaleEmbeddings<T extends tf.Tensor>(rows: T, hidden: number, dtype: string): T {
  const scale = roundToDtype(Math.sqrt(hidden), dtype);
  if (dtype !== 'BF16' && dtype !== 'F16') return tf.mul(rows, scale) as T;
  const op = tf.customGrad(((x: tf.Tensor) => {
    const data = x.dataSync() as Float32Array;
    const out = new Float32Array(data.length);
    for (let i = 0; i < data.length; i++) out[i] = roundToDtype(data[i] * scale, dtype);
    return { value: tf.tensor(out, x.shape, 'float32'), gradFunc: (dy: tf.Tensor) => tf.mul(dy, scale) };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(rows) as T;
}
