// Activation recomputation (gradient checkpointing): a block's forward runs without keeping its intermediates;
// the backward pass runs it again from the saved input, under a fresh tape, and differentiates that. Dropout
// masks are replayed by rewinding the adapters' draw counter, so the gradients are exactly the unchecked ones.
import * as tf from '@tensorflow/tfjs';

export interface DropoutReplay {
  dropoutCursor(): number;
  setDropoutCursor(at: number): void;
}

/** fn(x), differentiable w.r.t. x and vars, holding only x between the forward and the backward pass. */
export function recomputed(fn: (x: tf.Tensor) => tf.Tensor, x: tf.Tensor, vars: tf.Variable[], replay: DropoutReplay): tf.Tensor {
  const cursor = replay.dropoutCursor();
  const op = tf.customGrad(((...args: unknown[]) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const xv = args[0] as tf.Tensor;
    save([xv]);
    // Own scope: every intermediate of the block is released as soon as its output exists.
    const value = tf.tidy(() => fn(xv));
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => {
      const after = replay.dropoutCursor();
      replay.setDropoutCursor(cursor);
      const input = tf.variable(saved[0], true, `recompute/${Math.random().toString(36).slice(2)}`);
      // A gradient taken inside a backward pass starts its own tape and clears engine.state.activeTape at its end,
      // which the outer pass still needs for its clean-up (tfjs 4.22 engine.gradients): put it back.
      const state = (tf.engine() as unknown as { state: { activeTape: unknown } }).state;
      const outerTape = state.activeTape;
      try {
        const { value: v, grads } = tf.variableGrads(() => tf.sum(tf.mul(fn(input), dy)) as tf.Scalar, [input, ...vars]);
        v.dispose();
        return [grads[input.name], ...vars.map((w) => grads[w.name])];
      } finally {
        state.activeTape = outerTape;
        input.dispose();
        replay.setDropoutCursor(after);
      }
    };
    return { value, gradFunc };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(x, ...vars);
}
