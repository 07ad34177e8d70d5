/**
 * ONNX Runtime as an inference engine: one execution provider (CPU, or WebGPU with no fallback
 * to the CPU for the whole model), a fixed intra-op thread count, graph optimisation `all`, and
 * sessions created once per model and input size and reused (`SessionCache`).
 */
import type { OrtData, OrtModule, OrtSession, OrtSessionOptions, OrtTensor, OrtTensorType } from './ort.js';
import type { EngineInfo } from './segmenter.js';

export type OnnxDevice = 'cpu' | 'webgpu';

export interface OnnxEngineOptions {
  /** Execution provider. Nodes the WebGPU provider does not implement still run on the CPU, as ONNX Runtime assigns them. */
  device: OnnxDevice;
  /** Intra-op threads of every session (inter-op: 1, sequential execution). */
  threads: number;
  /** Name and version of the runtime package, for records (`onnxruntime-node 1.30.0`). */
  runtime: string;
}

export class OnnxEngine {
  readonly info: EngineInfo;
  /** Sessions this engine created and has not released. */
  private open = 0;
  constructor(
    readonly ort: OrtModule,
    readonly options: OnnxEngineOptions,
  ) {
    if (!Number.isInteger(options.threads) || options.threads < 1) throw new Error(`onnx engine: threads must be a positive integer, got ${options.threads}`);
    this.info = { engine: 'onnx', backend: `onnx-${options.device}`, executionProvider: options.device, threads: options.threads, runtime: options.runtime };
  }

  /**
   * The session options every session of this engine gets. The thread pool does not spin between
   * parallel sections (`session.intra_op.allow_spinning` 0): a spinning pool keeps its threads busy
   * after a run, and with the several sessions of a cascade, Clockwork or TDNet (or other jobs on a
   * shared 2-core machine) those threads take the cores the next session needs. Measured on the
   * 2-core machine under load (docs/BENCHMARKS.md): layer-cascade-lite at 256x256, 2 threads,
   * 276-300 ms per image spinning against 14-25 ms not; its full mode 126-164 ms against 41-54 ms.
   */
  get sessionOptions(): OrtSessionOptions {
    return {
      executionProviders: [this.options.device],
      intraOpNumThreads: this.options.threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      executionMode: 'sequential',
      logSeverityLevel: 3,
      extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
    };
  }

  /** A session on the model bytes. */
  async createSession(model: Uint8Array): Promise<OrtSession> {
    const s = await this.ort.InferenceSession.create(model, this.sessionOptions);
    this.open++;
    const release = s.release.bind(s);
    return Object.assign(s, {
      release: async () => {
        this.open--;
        await release();
      },
    });
  }

  /** How many sessions are open (a test that sessions are reused, not re-created). */
  get openSessions(): number {
    return this.open;
  }

  tensor(type: OrtTensorType, data: OrtData, dims: readonly number[]): OrtTensor {
    return new this.ort.Tensor(type, data, dims);
  }
}

/**
 * Sessions by key (model, stage, input size, batch): each built once, on first use, from the
 * bytes `build` returns, and reused afterwards.
 */
export class SessionCache {
  private readonly sessions = new Map<string, Promise<OrtSession>>();
  constructor(readonly engine: OnnxEngine) {}

  get(key: string, build: () => Uint8Array): Promise<OrtSession> {
    let s = this.sessions.get(key);
    if (!s) {
      s = this.engine.createSession(build());
      this.sessions.set(key, s);
      // A failed creation is not cached: the next call says why again instead of a stale rejection.
      s.catch(() => this.sessions.delete(key));
    }
    return s;
  }

  get size(): number {
    return this.sessions.size;
  }

  async release(): Promise<void> {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    for (const s of all) await (await s.catch(() => undefined))?.release();
  }
}
