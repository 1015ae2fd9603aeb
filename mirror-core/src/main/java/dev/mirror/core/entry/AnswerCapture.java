package dev.mirror.core.entry;

import dev.mirror.api.Headers;
import dev.mirror.api.Observation;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The primary's answer body as the application writes it, kept up to the comparison's limit for
 * a request that is compared: entry points tee the answer's output through it. Past the limit,
 * nothing more is kept and the body is marked incomplete (it is then not compared). Used by one
 * request at a time.
 */
public final class AnswerCapture {

  private final int limit;
  private byte[] bytes = new byte[256];
  private int size;
  private boolean over;

  AnswerCapture(int limit) {
    this.limit = limit;
  }

  /** Keeps one byte the application wrote. */
  public void write(int b) {
    if (size >= limit) {
      over = true;
      return;
    }
    ensure(size + 1);
    bytes[size++] = (byte) b;
  }

  /** Keeps bytes the application wrote. */
  public void write(byte[] b, int offset, int length) {
    int n = Math.min(length, limit - size);
    if (n < length) {
      over = true;
    }
    if (n > 0) {
      ensure(size + n);
      System.arraycopy(b, offset, bytes, size, n);
      size += n;
    }
  }

  /** Returns a stream that writes to {@code out} and keeps what passes, for an entry point. */
  public java.io.OutputStream tee(java.io.OutputStream out) {
    return tee(out, null);
  }

  /**
   * Returns a stream that writes to {@code out} and keeps what passes, and runs {@code closed}
   * once when it is closed (after {@code out} is closed, even if that throws): for an entry point
   * that learns the answer is complete only from its runtime closing the stream, as JAX-RS's
   * {@code ContainerResponseContext.setEntityStream} specifies. {@code closed} must not throw.
   */
  public java.io.OutputStream tee(java.io.OutputStream out, Runnable closed) {
    return new java.io.FilterOutputStream(out) {
      private boolean ended;

      @Override
      public void close() throws java.io.IOException {
        try {
          super.close();
        } finally {
          if (closed != null && !ended) {
            ended = true;
            closed.run();
          }
        }
      }

      @Override
      public void write(int b) throws java.io.IOException {
        out.write(b);
        AnswerCapture.this.write(b);
      }

      @Override
      public void write(byte[] b, int offset, int length) throws java.io.IOException {
        out.write(b, offset, length);
        AnswerCapture.this.write(b, offset, length);
      }
    };
  }

  private void ensure(int capacity) {
    if (capacity > bytes.length) {
      bytes = Arrays.copyOf(bytes, Math.min(limit, Math.max(capacity, 2 * bytes.length)));
    }
  }

  /** The answer as kept, with its status and headers. */
  Observation observation(int status, Headers headers, long durationNanos) {
    return Observation.answer("primary", status, headers,
        ByteBuffer.wrap(bytes, 0, size).asReadOnlyBuffer(), !over, durationNanos);
  }
}
