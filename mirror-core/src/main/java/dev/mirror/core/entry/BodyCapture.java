package dev.mirror.core.entry;

import dev.mirror.api.DropReason;
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
final class BodyCapture {

  private enum State { OPEN, COMPLETE, TOO_LARGE, NO_ROOM, FAILED }

  private static final byte[] EMPTY = new byte[0];

  private final int limit;
  private final long expectedLength;
  /**
   * The most the buffer ever needs: the declared length when it is within the limit, else the
   * limit. The buffer grows toward it as bytes arrive, never ahead of them: a client declaring
   * 64 MiB and sending 10 bytes costs 10 bytes, not 64 MiB, whoever it is.
   */
  private final int capacityBound;
  /** Asked before the buffer grows by n bytes; false: the target's byte cap has no room. */
  private final java.util.function.IntPredicate room;
  private byte[] buffer = EMPTY;
  private int size;
  private volatile State state = State.OPEN;

  /** A capture of at most {@code limit} bytes; {@code expectedLength} is -1 if not declared. */
  BodyCapture(int limit, long expectedLength) {
    this(limit, expectedLength, null);
  }

  /**
   * A capture whose buffer grows only as far as {@code room} allows (the targets'
   * {@code max-in-flight-bytes}, taken as the body arrives); past it the copy is given up as
   * {@link DropReason#QUEUE_FULL}.
   */
  BodyCapture(int limit, long expectedLength, java.util.function.IntPredicate room) {
    this.room = room;
    this.limit = limit;
    this.expectedLength = expectedLength;
    this.capacityBound = expectedLength >= 0 && expectedLength <= limit
        ? (int) expectedLength : limit;
  }

  /** The bytes allocated to keep the body so far (for tests: never ahead of what arrived). */
  int capacity() {
    return buffer == null ? 0 : buffer.length;
  }

  /**
   * Reads one byte from {@code in} for the application, keeping it; a read that throws gives the
   * copy up, end of stream completes the body. Tees call this so the rules live here once.
   *
   * @throws IOException as {@code in} throws it
   */
  int read(InputStream in) throws IOException {
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
  int read(InputStream in, byte[] bytes, int offset, int length) throws IOException {
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
  void write(byte[] bytes, int offset, int length) {
    if (state != State.OPEN || length <= 0) {
      return;
    }
    if (length > limit - size) {
      tooLarge();
      return;
    }
    if (!ensure(size + length)) {
      return;
    }
    System.arraycopy(bytes, offset, buffer, size, length);
    size += length;
  }

  /** Keeps one byte just read by the application. */
  void write(int b) {
    if (state != State.OPEN) {
      return;
    }
    if (size == limit) {
      tooLarge();
      return;
    }
    if (!ensure(size + 1)) {
      return;
    }
    buffer[size++] = (byte) b;
  }

  /**
   * Keeps one whole message delivered to the application apart from any body stream (a gRPC
   * message), framed as on gRPC's wire: a flag byte 0, its length in four bytes big-endian, then
   * its bytes, read from {@code message} to its end. Over the limit, the copy is given up; a read
   * that fails gives it up too.
   *
   * @param knownLength the message's length if known (checked before anything is read), else -1
   */
  void appendMessage(InputStream message, int knownLength) {
    if (state != State.OPEN) {
      return;
    }
    int frameStart = size;
    if (5L + Math.max(0, knownLength) > limit - size) {
      tooLarge();
      return;
    }
    if (!ensure(size + 5 + Math.max(0, knownLength))) {
      return;
    }
    size += 5;
    try {
      while (true) {
        if (size == buffer.length) {
          if (size == limit) {
            if (message.read() >= 0) {
              tooLarge();
              return;
            }
            break;
          }
          if (!ensure(size + 1)) {
            return;
          }
        }
        int n = message.read(buffer, size, buffer.length - size);
        if (n < 0) {
          break;
        }
        size += n;
      }
    } catch (IOException | RuntimeException e) {
      fail();
      return;
    }
    int length = size - frameStart - 5;
    buffer[frameStart] = 0;
    buffer[frameStart + 1] = (byte) (length >>> 24);
    buffer[frameStart + 2] = (byte) (length >>> 16);
    buffer[frameStart + 3] = (byte) (length >>> 8);
    buffer[frameStart + 4] = (byte) length;
  }

  /**
   * Grows the buffer to hold {@code capacity} bytes: doubling (so copies stay linear in the
   * body), but never past what is needed now when doubling would pass the declared length or
   * the limit, and never before the bytes are there.
   */
  /** Grows the buffer to hold {@code capacity} bytes; false if the byte cap had no room. */
  private boolean ensure(int capacity) {
    if (capacity > buffer.length) {
      long doubled = Math.min(2L * buffer.length, Math.max(capacityBound, capacity));
      int grown = (int) Math.min(limit, Math.max(capacity, doubled));
      if (room != null && !room.test(grown - buffer.length)) {
        state = State.NO_ROOM;
        buffer = null;
        return false;
      }
      buffer = Arrays.copyOf(buffer, grown);
    }
    return true;
  }

  /** The stream has ended: the body is complete (if it matches its declared length). */
  void end() {
    if (state == State.OPEN) {
      state = expectedLength >= 0 && size != expectedLength ? State.FAILED : State.COMPLETE;
    }
  }

  /**
   * Ends the body if every declared byte has been read, though the end of the stream has not been
   * seen yet (an application that reads exactly its Content-Length). Returns true if complete.
   */
  boolean endIfDeclaredLengthRead() {
    if (state == State.OPEN && expectedLength >= 0 && size == expectedLength) {
      end();
    }
    return complete();
  }

  /** A read failed: the body will never be complete. */
  void fail() {
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
  boolean isOpen() {
    return state == State.OPEN;
  }

  /** Returns the bytes kept so far. */
  int size() {
    return size;
  }

  /**
   * Returns a stream that reads {@code in} and keeps what passes through, for entry points whose
   * body is a plain {@link InputStream}.
   */
  InputStream tee(InputStream in) {
    return new TeeInputStream(in, this);
  }

  /**
   * Reads the rest of the body the application left unread, up to one byte past the limit, so a
   * body read partly or never is still mirrored whole. Stops at once when the copy is given up.
   *
   * @throws IOException as the stream throws it (the copy is then given up)
   */
  void drain(InputStream in) throws IOException {
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

  /** The bytes kept so far, read-only, without letting go of them. */
  ByteBuffer view() {
    return buffer == null ? ByteBuffer.allocate(0) : ByteBuffer.wrap(buffer, 0, size).asReadOnlyBuffer();
  }

  /** True if the body ended whole, within the limit. */
  boolean complete() {
    return state == State.COMPLETE;
  }

  /**
   * Returns the body, read-only (nothing writes to it again once it is complete).
   *
   * @throws IllegalStateException if the body is not complete
   */
  ByteBuffer body() {
    if (state != State.COMPLETE) {
      throw new IllegalStateException("body: was " + state + ", must be complete");
    }
    return ByteBuffer.wrap(buffer, 0, size).asReadOnlyBuffer();
  }

  /** Why there is no copy, for a body that did not end whole. */
  DropReason dropReason() {
    return state == State.TOO_LARGE ? DropReason.BODY_TOO_LARGE
        : state == State.NO_ROOM ? DropReason.QUEUE_FULL : DropReason.INCOMPLETE_BODY;
  }
}
