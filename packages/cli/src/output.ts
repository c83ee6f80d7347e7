/**
 * Buffered writing to stdout that respects back-pressure and survives a
 * reader closing the pipe early (`frozendb inspect | head`).
 */

import { WriteError } from "frozendb";

/** Bytes buffered before a streaming command should flush. */
const FLUSH_AT = 64 * 1024;

/** A stream's `EPIPE`: the reader went away; not an error of ours. */
function isClosedPipe(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "EPIPE" || code === "ERR_STREAM_DESTROYED";
}

/** Output to one stream, buffered in memory up to {@link FLUSH_AT} characters. */
export class Output {
  readonly #stream: NodeJS.WritableStream;
  readonly #onError: (error: unknown) => void;
  #buffer = "";
  #closed = false;
  #failure: unknown;

  constructor(stream: NodeJS.WritableStream) {
    this.#stream = stream;
    this.#onError = (error) => {
      if (isClosedPipe(error)) this.#closed = true;
      else this.#failure ??= error;
    };
    stream.on("error", this.#onError);
  }

  /** True once the reader has closed the pipe: streaming commands stop and succeed. */
  get closed(): boolean {
    return this.#closed;
  }

  /** True when enough is buffered that a streaming command should `await flush()`. */
  get full(): boolean {
    return this.#buffer.length >= FLUSH_AT;
  }

  /** Buffers `text`. */
  write(text: string): void {
    if (!this.#closed) this.#buffer += text;
  }

  /**
   * Hands the buffer to the stream and waits for it to drain when the stream
   * asks to.
   * @throws {@link WriteError} when the stream failed for another reason than a closed pipe.
   */
  async flush(): Promise<void> {
    this.#checkFailure();
    if (this.#closed || this.#buffer.length === 0) return;
    const text = this.#buffer;
    this.#buffer = "";
    let ready: boolean;
    try {
      ready = this.#stream.write(text);
    } catch (error) {
      this.#onError(error);
      this.#checkFailure();
      return;
    }
    if (!ready) await this.#drained();
    this.#checkFailure();
  }

  /** Stops listening to the stream (after the last flush). */
  dispose(): void {
    this.#stream.removeListener("error", this.#onError);
  }

  #drained(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.#stream.removeListener("drain", done);
        this.#stream.removeListener("close", done);
        this.#stream.removeListener("error", done);
        resolve();
      };
      this.#stream.once("drain", done);
      this.#stream.once("close", done);
      this.#stream.once("error", done);
    });
  }

  #checkFailure(): void {
    if (this.#failure !== undefined) {
      throw new WriteError("failed to write output", { cause: this.#failure });
    }
  }
}
