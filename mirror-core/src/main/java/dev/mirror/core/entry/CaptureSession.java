package dev.mirror.core.entry;

import dev.mirror.api.Decision;
import dev.mirror.api.DropReason;
import dev.mirror.api.MirroredRequest;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * One mirrored request, from its decision to its end: the only place the lifecycle lives. An
 * entry point opens it ({@link EntryPoint#open}), passes the body's reads through it as the
 * application reads, and finishes it once when the exchange is done: what the application left
 * unread is drained (up to the limit), then the copy is submitted, or abandoned with its reason.
 *
 * <p>Nothing here throws into the application except the application's own I/O errors, which
 * reads rethrow as they came; everything else is counted and reported through the entry point.
 * Used by one request at a time; the container's hand-over between threads orders the calls.
 */
public final class CaptureSession {

  private final EntryPoint entry;
  private final Decision decision;
  private final BodyCapture capture;
  private final AtomicBoolean ended = new AtomicBoolean();
  /** For a compared request: when it started, and its answer's body as written. */
  private final long startNanos;
  private final AnswerCapture answer;

  CaptureSession(EntryPoint entry, Decision decision, BodyCapture capture) {
    this.entry = entry;
    this.decision = decision;
    this.capture = capture;
    boolean compares = decision.compares();
    this.startNanos = compares ? System.nanoTime() : 0;
    this.answer = compares ? new AnswerCapture(Math.max(0, decision.keepAnswerBytes())) : null;
  }

  /**
   * Returns where the entry point tees the answer's body, for a request whose answer is compared
   * with the shadows'; null otherwise (then nothing of the answer is kept).
   */
  public AnswerCapture answerCapture() {
    return answer;
  }

  /**
   * The answer is complete (after {@link #finish}): hands its status, headers and the body kept
   * by {@link #answerCapture()} to the dispatcher for comparison. Does nothing for a request
   * that is not compared; never throws.
   */
  public void answered(int status, dev.mirror.api.Headers headers) {
    if (answer == null) {
      return;
    }
    try {
      entry.dispatcher().answered(decision, answer.observation(status, headers,
          System.nanoTime() - startNanos));
    } catch (RuntimeException | Error e) {
      entry.reportError("handing over the answer for comparison", e);
    }
  }

  /**
   * Reads one byte of the body for the application, keeping it.
   *
   * @throws IOException as {@code in} throws it (the copy is then given up)
   */
  public int read(InputStream in) throws IOException {
    return capture.read(in);
  }

  /**
   * Reads into {@code bytes} for the application, keeping what was read.
   *
   * @throws IOException as {@code in} throws it (the copy is then given up)
   */
  public int read(InputStream in, byte[] bytes, int offset, int length) throws IOException {
    return capture.read(in, bytes, offset, length);
  }

  /**
   * Keeps one message the application received whole rather than as a body stream (a gRPC
   * request message, serialized by its method's marshaller), framed as gRPC frames it on the
   * wire: a flag byte 0, a four-byte big-endian length, the bytes. The body is then exactly what
   * an HTTP/2 gRPC request carries. Past the limit the copy is given up as over it; never
   * throws.
   *
   * @param knownLength the message's length if known (a message over the limit is then never
   *     read), else -1
   */
  public void keepMessage(InputStream message, int knownLength) {
    capture.appendMessage(message, knownLength);
  }

  /** The container says the body has ended (a non-blocking read finished). */
  public void bodyEnded() {
    capture.end();
  }

  /** The container says reading the body failed. */
  public void bodyFailed() {
    capture.fail();
  }

  /** True while more of the body may come. */
  public boolean bodyOpen() {
    return capture.isOpen();
  }

  /**
   * Reads the whole body now, before the application has touched it, when its declared length is
   * within the limit: for a container that stops serving the body once the answer is complete
   * (Tomcat, after a sized answer's last byte). The application then reads the kept bytes from
   * {@link #replay()}, so it sees its body unchanged. Returns true if the body is now complete;
   * false leaves everything as it was (nothing read).
   *
   * @param declaredLength the request's declared length; -1 (unknown) or over the limit: nothing
   *     is read, since bytes past the limit could not be given back to the application
   */
  public boolean readAheadForAnswer(InputStream in, long declaredLength) {
    if (!capture.isOpen() || capture.size() != 0 || declaredLength < 0
        || declaredLength > decision.maxBodyBytes()) {
      return capture.complete();
    }
    try {
      capture.drain(in);
    } catch (IOException | RuntimeException e) {
      // counted as an incomplete body; the application will see the container's own error
    }
    return capture.complete();
  }

  /** The body as kept, for the application to read after {@link #readAheadForAnswer}. */
  public InputStream replay() {
    java.nio.ByteBuffer view = capture.view();
    return new InputStream() {
      @Override
      public int read() {
        return view.hasRemaining() ? view.get() & 0xff : -1;
      }

      @Override
      public int read(byte[] bytes, int offset, int length) {
        if (length == 0) {
          return 0;
        }
        if (!view.hasRemaining()) {
          return -1;
        }
        int n = Math.min(length, view.remaining());
        view.get(bytes, offset, n);
        return n;
      }

      @Override
      public int available() {
        return view.remaining();
      }
    };
  }

  /**
   * Returns true if the answer must wait for the copies: then the entry point calls {@link
   * #answerStarting} before the first byte of the answer can leave.
   */
  public boolean synchronous() {
    return decision.synchronous();
  }

  /**
   * The application is about to send the first byte of its answer: in synchronous mode, if the
   * body is complete, the copy is submitted now and this returns once the copies have ended (at
   * most the targets' timeouts), so the client's answer waits for them. A body not yet complete
   * (the application answers before reading it all) cannot be sent yet: the answer goes out
   * without waiting and the copy leaves at {@link #finish}. Does nothing in asynchronous mode.
   */
  public void answerStarting(Supplier<MirroredRequest.Builder> metadata) {
    if (decision.synchronous() && !ended.get() && capture.endIfDeclaredLengthRead()) {
      finish(null, metadata);
    }
  }

  /** Returns a stream that reads {@code in} for the application and keeps what passes. */
  public InputStream tee(InputStream in) {
    return new TeeInputStream(in, capture);
  }

  /**
   * Ends the session, once: drains what the application left unread from {@code unread} (null:
   * nothing may be read), then submits the copy built from {@code metadata} and the body, or
   * abandons it with why. Never throws; later calls do nothing.
   */
  public void finish(InputStream unread, Supplier<MirroredRequest.Builder> metadata) {
    if (!ended.compareAndSet(false, true)) {
      return;
    }
    try {
      if (unread != null && capture.isOpen()) {
        try {
          capture.drain(unread);
        } catch (IOException | RuntimeException clientGone) {
          // counted below as an incomplete body; the application saw its own outcome
        }
      }
      MirroredRequest request = capture.complete() ? metadata.get().body(capture.body()).build()
          : null;
      if (request == null) {
        entry.abandon(decision, capture.dropReason());
        return;
      }
      submit(request);
    } catch (RuntimeException | Error e) {
      entry.abandon(decision, DropReason.ERROR);
      entry.reportError("finishing a copy", e);
    }
  }

  private void submit(MirroredRequest request) {
    try {
      entry.dispatcher().submit(decision, request);
    } catch (RuntimeException | Error e) {
      entry.reportError("submitting a copy", e);
    }
  }

  /** Ends the session without a copy, counting why. Never throws; later calls do nothing. */
  public void abandon(DropReason reason) {
    if (ended.compareAndSet(false, true)) {
      entry.abandon(decision, reason);
    }
  }
}
