package dev.mirror.core;

import dev.mirror.api.Decision;
import dev.mirror.api.DropReason;
import dev.mirror.api.MirrorDispatcher;
import dev.mirror.api.MirroredRequest;
import dev.mirror.api.SubmitResult;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Keeps a copy of a request body as the application reads it: the tee every entry point installs.
 *
 * <p>Bytes are kept up to the policy's limit. One byte more and the copy is given up (counted as
 * {@link DropReason#BODY_TOO_LARGE}): a copy is sent byte-exact or not at all, never cut off. A read
 * that fails (the client went away) gives the copy up as {@link DropReason#INCOMPLETE_BODY}. Only
 * when the stream has ended is the body complete and the copy submitted.
 *
 * <p>Used by one request at a time; the container's hand-over between threads orders the calls.
 */
public final class BodyCapture {

  private enum State { OPEN, COMPLETE, TOO_LARGE, FAILED }

  private static final int INITIAL_CAPACITY = 1024;

  private final int limit;
  private final long expectedLength;
  private byte[] buffer;
  private int size;
  private volatile State state = State.OPEN;

  private BodyCapture(int limit, long expectedLength) {
    this.limit = limit;
    this.expectedLength = expectedLength;
    int initial = expectedLength >= 0 && expectedLength <= limit
        ? (int) expectedLength : Math.min(limit, INITIAL_CAPACITY);
    this.buffer = new byte[initial];
  }

  /**
   * Returns a capture for a request decided on, or null if its declared length is already over the
   * limit (then the decision is abandoned and counted here, and nothing need be wrapped).
   *
   * @param dispatcher the dispatcher that made the decision
   * @param decision a decision to mirror
   * @param contentLength the declared length, or -1 if unknown (chunked)
   * @param hasBody false if the request framing says there is no body at all
   */
  public static BodyCapture start(
      MirrorDispatcher dispatcher, Decision decision, long contentLength, boolean hasBody) {
    if (contentLength > decision.maxBodyBytes()) {
      dispatcher.abandon(decision, DropReason.BODY_TOO_LARGE);
      return null;
    }
    BodyCapture capture = new BodyCapture(decision.maxBodyBytes(), contentLength);
    if (!hasBody || contentLength == 0) {
      capture.end();
    }
    return capture;
  }

  /**
   * Reads one byte from {@code in} for the application, keeping it; a read that throws gives the
   * copy up, end of stream completes the body. Tees call this so the rules live here once.
   *
   * @throws IOException as {@code in} throws it
   */
  public int read(InputStream in) throws IOException {
    int b;
    try {
      b = in.read();
    } catch (IOException | RuntimeException e) {
      fail();
      throw e;
    }
    if (b < 0) {
      end();
    } else {
      write(b);
    }
    return b;
  }

  /**
   * Reads into {@code bytes} from {@code in} for the application, keeping what was read; as
   * {@link #read(InputStream)} otherwise.
   *
   * @throws IOException as {@code in} throws it
   */
  public int read(InputStream in, byte[] bytes, int offset, int length) throws IOException {
    int n;
    try {
      n = in.read(bytes, offset, length);
    } catch (IOException | RuntimeException e) {
      fail();
      throw e;
    }
    if (n < 0) {
      end();
    } else {
      write(bytes, offset, n);
    }
    return n;
  }

  /** Keeps bytes just read by the application. */
  public void write(byte[] bytes, int offset, int length) {
    if (state != State.OPEN || length <= 0) {
      return;
    }
    if (length > limit - size) {
      tooLarge();
      return;
    }
    if (size + length > buffer.length) {
      buffer = Arrays.copyOf(buffer, (int) Math.min(limit, Math.max(size + length, 2L * buffer.length)));
    }
    System.arraycopy(bytes, offset, buffer, size, length);
    size += length;
  }

  /** Keeps one byte just read by the application. */
  public void write(int b) {
    if (state != State.OPEN) {
      return;
    }
    if (size == limit) {
      tooLarge();
      return;
    }
    if (size == buffer.length) {
      buffer = Arrays.copyOf(buffer, (int) Math.min(limit, Math.max(size + 1, 2L * buffer.length)));
    }
    buffer[size++] = (byte) b;
  }

  /** The stream has ended: the body is complete (if it matches its declared length). */
  public void end() {
    if (state == State.OPEN) {
      state = expectedLength >= 0 && size != expectedLength ? State.FAILED : State.COMPLETE;
    }
  }

  /** A read failed: the body will never be complete. */
  public void fail() {
    if (state == State.OPEN) {
      state = State.FAILED;
      buffer = null;
    }
  }

  private void tooLarge() {
    state = State.TOO_LARGE;
    buffer = null;
  }

  /** Returns true while more of the body may come. */
  public boolean isOpen() {
    return state == State.OPEN;
  }

  /** Returns the bytes kept so far. */
  public int size() {
    return size;
  }

  /**
   * Returns a stream that reads {@code in} and keeps what passes through, for entry points whose
   * body is a plain {@link InputStream}.
   */
  public InputStream tee(InputStream in) {
    return new TeeInputStream(in, this);
  }

  /**
   * Reads the rest of the body the application left unread, up to one byte past the limit, so a
   * body read partly or never is still mirrored whole. Stops at once when the copy is given up.
   *
   * @throws IOException as the stream throws it (the copy is then given up)
   */
  public void drain(InputStream in) throws IOException {
    byte[] chunk = new byte[Math.min(8192, limit + 1)];
    try {
      while (state == State.OPEN) {
        int n = in.read(chunk, 0, Math.min(chunk.length, limit - size + 1));
        if (n < 0) {
          end();
        } else {
          write(chunk, 0, n);
        }
      }
    } catch (IOException | RuntimeException e) {
      fail();
      throw e;
    }
  }

  /**
   * Submits the copy if the body is complete, else abandons the decision with the reason; never
   * throws.
   *
   * @param request everything but the body, which this capture sets
   */
  public SubmitResult finish(
      MirrorDispatcher dispatcher, Decision decision, MirroredRequest.Builder request) {
    switch (state) {
      case COMPLETE:
        ByteBuffer body = ByteBuffer.wrap(buffer, 0, size).asReadOnlyBuffer();
        buffer = null; // the read-only view is the only reference left; nothing writes to it again
        return dispatcher.submit(decision, request.body(body).build());
      case TOO_LARGE:
        dispatcher.abandon(decision, DropReason.BODY_TOO_LARGE);
        return SubmitResult.dropped(DropReason.BODY_TOO_LARGE);
      default:
        fail();
        dispatcher.abandon(decision, DropReason.INCOMPLETE_BODY);
        return SubmitResult.dropped(DropReason.INCOMPLETE_BODY);
    }
  }
}
