package dev.mirror.core.internal.http1;

import dev.mirror.api.Headers;
import dev.mirror.api.ShadowRequest;
import dev.mirror.api.ShadowResponse;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * One copy on its way over HTTP/1.1: the request's head, encoded once, its body, and the future
 * the caller waits on. Touched by the event loop's thread only.
 *
 * <p>It knows what the sender needs to never send a copy twice: whether any byte of it was
 * written ({@link #written()}), whether its method is idempotent (RFC 9110 section 9.2.2: only
 * those are pipelined or resent), and whether it was resent already (once at most). Its read
 * timeout starts once, when it first goes out, and a resend does not restart it.
 */
public final class Http1Exchange {

  private final ByteBuffer head;
  private final ByteBuffer body;
  private final boolean headMethod;
  private final boolean idempotent;
  private final long connectTimeoutNanos;
  private final long readTimeoutNanos;
  private final CompletableFuture<ShadowResponse> result;
  /** How much of the answer's body to keep, for comparison; 0 for none. */
  private final int keepAnswerBytes;
  private boolean resent;
  private boolean clockStarted;
  private boolean abandoned;
  private long startedNanos;
  private long deadlineNanos;
  private long waitDeadlineNanos;
  private boolean waited;
  private int queuedBehind;
  private int connectAttempts;

  Http1Exchange(ShadowRequest copy, String authority, CompletableFuture<ShadowResponse> result) {
    this.body = copy.body();
    this.head = encodeHead(copy, authority, body.remaining());
    this.headMethod = copy.method().equals("HEAD");
    this.idempotent = isIdempotent(copy.method());
    this.keepAnswerBytes = copy.keepAnswerBytes();
    this.connectTimeoutNanos = copy.target().connectTimeout().toNanos();
    this.readTimeoutNanos = copy.target().readTimeout().toNanos();
    this.result = result;
  }

  ByteBuffer head() {
    return head;
  }

  ByteBuffer body() {
    return body;
  }

  boolean isHead() {
    return headMethod;
  }

  int keepAnswerBytes() {
    return keepAnswerBytes;
  }

  long connectTimeoutNanos() {
    return connectTimeoutNanos;
  }

  long readTimeoutNanos() {
    return readTimeoutNanos;
  }

  /**
   * The request goes out on an open connection now: its read timeout starts, the first time only
   * (a resend keeps the deadline the copy had).
   */
  void startClock(long nowNanos) {
    if (!clockStarted) {
      clockStarted = true;
      startedNanos = nowNanos;
      deadlineNanos = nowNanos + readTimeoutNanos;
    }
  }

  /** True once the read timeout runs. */
  boolean clockStarted() {
    return clockStarted;
  }

  /** True for methods a server must treat as idempotent (RFC 9110 section 9.2.2). */
  static boolean isIdempotent(String method) {
    return switch (method) {
      case "GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE" -> true;
      default -> false;
    };
  }

  boolean idempotent() {
    return idempotent;
  }

  /**
   * True if it may share a connection with others in flight: idempotent, and not a resend (a
   * resend goes out alone).
   */
  boolean pipelinable() {
    return idempotent && !resent;
  }

  /** True once any byte of the request was handed to the socket (or to TLS). */
  boolean written() {
    return head.position() > 0;
  }

  /**
   * Its future has failed (its read timeout passed) while its answer may still come on its
   * connection: that answer is read and dropped.
   */
  void abandon(Throwable cause) {
    abandoned = true;
    result.completeExceptionally(cause);
  }

  boolean abandoned() {
    return abandoned;
  }

  /**
   * Waits for a connection until this time (then is dropped); set the first time it waits only,
   * so waiting again never extends it.
   */
  void waitUntil(long deadlineNanos) {
    if (!waited) {
      waited = true;
      waitDeadlineNanos = deadlineNanos;
    }
  }

  long waitDeadlineNanos() {
    return waitDeadlineNanos;
  }

  /** Moved or resent: it may wait for a connection once more, with a deadline of its own. */
  void mayWaitAgain() {
    waited = false;
  }

  /** Counts a connection attempt for it; returns the count so far. */
  int connectAttempt() {
    return ++connectAttempts;
  }

  /** How many exchanges were ahead of this one on its connection when it was queued. */
  void queuedBehind(int ahead) {
    queuedBehind = ahead;
  }

  int queuedBehind() {
    return queuedBehind;
  }

  long startedNanos() {
    return startedNanos;
  }

  long deadlineNanos() {
    return deadlineNanos;
  }

  /**
   * Rewinds for its one resend, on another connection; false if it was resent already or is not
   * idempotent (a non-idempotent copy that was written is never sent again: it may have been
   * processed).
   */
  boolean resend() {
    if (resent || !idempotent) {
      return false;
    }
    resent = true;
    rewind();
    return true;
  }

  boolean resent() {
    return resent;
  }

  /** Rewinds the bytes for another connection (for a copy not written yet, a no-op). */
  void rewind() {
    head.rewind();
    body.rewind();
  }

  void complete(ShadowResponse response) {
    result.complete(response);
  }

  void fail(Throwable cause) {
    result.completeExceptionally(cause);
  }

  /**
   * Writes the request line and headers as HTTP/1.1 bytes: the copy's headers in order, then
   * {@code Host} if the copy has none, then the body's framing. A body is framed by {@code
   * Content-Length}; a bodiless copy carries {@code Content-Length: 0} only if the composer put it
   * there (the client sent one), so a bodiless GET goes out as the client sent it.
   *
   * @throws IllegalArgumentException if a header cannot be written as HTTP/1.1 (counted as an
   *     invalid request, never sent)
   */
  static ByteBuffer encodeHead(ShadowRequest copy, String authority, int bodyLength) {
    URI uri = copy.uri();
    String path = uri.getRawPath();
    String query = uri.getRawQuery();
    Headers headers = copy.headers();
    int estimate = 64 + copy.method().length() + path.length()
        + (query == null ? 0 : query.length() + 1) + authority.length();
    for (int i = 0; i < headers.size(); i++) {
      estimate += headers.name(i).length() + headers.value(i).length() + 4;
    }
    Latin1Writer w = new Latin1Writer(estimate);
    w.token(copy.method(), "method");
    w.ascii(' ');
    if (path.isEmpty()) {
      w.ascii('/');
    } else {
      w.text(path, "path");
    }
    if (query != null) {
      w.ascii('?');
      w.text(query, "query");
    }
    w.raw(" HTTP/1.1\r\n");
    boolean host = false;
    String length = null;
    for (int i = 0; i < headers.size(); i++) {
      String name = headers.name(i);
      if (name.equalsIgnoreCase("Content-Length")) {
        length = headers.value(i);
        continue; // written below, checked against the body
      }
      if (name.equalsIgnoreCase("Transfer-Encoding")) {
        continue; // the body is whole: it is framed by its length
      }
      host |= name.equalsIgnoreCase("Host");
      w.field(name, headers.value(i));
    }
    if (!host) {
      w.field("Host", authority);
    }
    if (bodyLength > 0 || length != null) {
      String actual = Integer.toString(bodyLength);
      if (length != null && !length.equals(actual)) {
        throw new IllegalArgumentException("Content-Length: was " + length
            + ", must be the body's length " + actual);
      }
      w.field("Content-Length", actual);
    }
    w.raw("\r\n");
    return w.buffer();
  }

  /** Writes ISO-8859-1 bytes into a growing array, refusing what HTTP/1.1 cannot carry. */
  private static final class Latin1Writer {
    private byte[] bytes;
    private int size;

    Latin1Writer(int capacity) {
      bytes = new byte[capacity];
    }

    void field(String name, String value) {
      token(name, "header name");
      raw(": ");
      text(value, "header " + name);
      raw("\r\n");
    }

    void token(String s, String what) {
      ensure(s.length());
      if (s.isEmpty()) {
        throw new IllegalArgumentException(what + ": was empty, must be an HTTP token");
      }
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c <= ' ' || c >= 0x7f || c == ':' || c == '(' || c == ')' || c == ',' || c == '/'
            || c == ';' || c == '<' || c == '=' || c == '>' || c == '?' || c == '@' || c == '['
            || c == '\\' || c == ']' || c == '{' || c == '}' || c == '"') {
          throw new IllegalArgumentException(what + ": has character 0x" + Integer.toHexString(c)
              + ", must be an HTTP token");
        }
        bytes[size++] = (byte) c;
      }
    }

    void text(String s, String what) {
      ensure(s.length());
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c > 0xff || c == '\r' || c == '\n' || c == 0) {
          throw new IllegalArgumentException(what + ": has character 0x" + Integer.toHexString(c)
              + ", which HTTP/1.1 cannot carry");
        }
        bytes[size++] = (byte) c;
      }
    }

    void raw(String s) {
      ensure(s.length());
      for (int i = 0; i < s.length(); i++) {
        bytes[size++] = (byte) s.charAt(i);
      }
    }

    void ascii(char c) {
      ensure(1);
      bytes[size++] = (byte) c;
    }

    private void ensure(int more) {
      if (size + more > bytes.length) {
        bytes = java.util.Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
      }
    }

    ByteBuffer buffer() {
      return ByteBuffer.wrap(bytes, 0, size);
    }
  }
}
