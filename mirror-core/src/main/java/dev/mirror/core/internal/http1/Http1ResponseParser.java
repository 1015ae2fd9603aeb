package dev.mirror.core.internal.http1;

import dev.mirror.api.Headers;
import java.io.IOException;
import java.net.ProtocolException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Reads an HTTP/1.1 answer for its framing only (RFC 9112): the status, the headers, and where the
 * body ends. Body bytes are skipped as they arrive, so a 100 MB answer costs a read buffer; only
 * when a copy asks (for comparison) is the start of the body kept, up to its limit. Interim 1xx answers are skipped; chunked bodies and their trailers, fixed lengths and
 * bodies delimited by the connection's close are all understood. Anything else is a {@link
 * ProtocolException} naming what was wrong.
 */
public final class Http1ResponseParser {

  /** Longest status or header line accepted. */
  static final int MAX_LINE = 8 * 1024;

  /** Most header (or trailer) bytes accepted for one answer. */
  static final int MAX_HEADER_BYTES = 64 * 1024;

  private enum State { STATUS, HEADERS, FIXED, CHUNK_SIZE, CHUNK_DATA, CHUNK_END, TRAILERS,
    UNTIL_CLOSE, DONE }

  private final byte[] line = new byte[MAX_LINE];
  private int lineLength;
  private int headerBytes;

  private State state = State.STATUS;
  private boolean head;
  private int status;
  private boolean http10;
  private Headers.Builder headers;
  private boolean closeAfter;
  private long contentLength;
  private boolean chunked;
  private long remaining;
  private long bytesSeen;
  private boolean http10KeepAlive;
  /** The shadow's {@code Keep-Alive: timeout=} in seconds, or -1. */
  private long keepAliveTimeoutSeconds;
  /** A header line read and not yet taken, since an obs-fold line may continue it. */
  private String pendingName;
  private StringBuilder pendingValue;
  /** The most body bytes kept for this answer, and those kept so far. */
  private int keepLimit;
  private byte[] kept;
  private int keptLength;
  private boolean bodyOverLimit;

  /**
   * Starts reading the answer to a request with this method, keeping up to {@code keepBytes} of
   * its body.
   */
  void reset(boolean headRequest, int keepBytes) {
    head = headRequest;
    bytesSeen = 0;
    keepLimit = keepBytes;
    startAnswer();
  }

  /** The body bytes kept (at most the limit asked for). */
  int keptBytes() {
    return keptLength;
  }

  /** The body as kept, read-only. */
  ByteBuffer keptBody() {
    return kept == null ? ByteBuffer.allocate(0) : ByteBuffer.wrap(kept, 0, keptLength)
        .asReadOnlyBuffer();
  }

  /** False if the body was longer than what was kept. */
  boolean bodyComplete() {
    return !bodyOverLimit;
  }

  private void keep(ByteBuffer in, int length) {
    if (keepLimit == 0 || length == 0) {
      return;
    }
    int room = keepLimit - keptLength;
    int n = Math.min(room, length);
    if (n < length) {
      bodyOverLimit = true;
    }
    if (n > 0) {
      if (kept == null || kept.length < keptLength + n) {
        kept = java.util.Arrays.copyOf(kept == null ? new byte[0] : kept,
            Math.min(keepLimit, Math.max(keptLength + n, 2 * (kept == null ? 512 : kept.length))));
      }
      in.duplicate().get(kept, keptLength, n);
      keptLength += n;
    }
  }

  /** Forgets the answer read so far (an interim 1xx one), keeping the request's facts. */
  private void startAnswer() {
    state = State.STATUS;
    lineLength = 0;
    headerBytes = 0;
    status = 0;
    http10 = false;
    headers = null;
    closeAfter = false;
    contentLength = -1;
    chunked = false;
    remaining = 0;
    http10KeepAlive = false;
    keepAliveTimeoutSeconds = -1;
    pendingName = null;
    pendingValue = null;
    kept = null;
    keptLength = 0;
    bodyOverLimit = false;
  }

  /** Bytes of this answer seen so far (zero means the connection said nothing). */
  long bytesSeen() {
    return bytesSeen;
  }

  int status() {
    return status;
  }

  Headers headers() {
    return headers == null ? Headers.empty() : headers.build();
  }

  /**
   * Bytes of a body of declared length still to come, if its head is read and nothing of it is
   * kept; else -1.
   */
  long unkeptBodyRemaining() {
    return state == State.FIXED && keepLimit == 0 ? remaining : -1;
  }

  /** True once the whole answer was read. */
  boolean done() {
    return state == State.DONE;
  }

  /** True if the connection may carry another request after this answer. */
  boolean keepAlive() {
    return !closeAfter;
  }

  /** True if the answer was HTTP/1.0. */
  boolean http10() {
    return http10;
  }

  /** The idle time the shadow said it keeps the connection ({@code Keep-Alive: timeout=}), or -1. */
  long keepAliveTimeoutSeconds() {
    return keepAliveTimeoutSeconds;
  }

  /**
   * Consumes what {@code in} holds; returns true when the answer is complete (bytes after it stay
   * in {@code in}).
   *
   * @throws ProtocolException if the bytes are not a valid HTTP/1.1 answer
   */
  boolean feed(ByteBuffer in) throws ProtocolException {
    int start = in.position();
    try {
      while (in.hasRemaining() && state != State.DONE) {
        switch (state) {
          case STATUS, HEADERS, TRAILERS, CHUNK_SIZE, CHUNK_END -> {
            if (readLine(in)) {
              onLine();
            }
          }
          case FIXED, CHUNK_DATA -> {
            int skip = (int) Math.min(remaining, in.remaining());
            keep(in, skip);
            in.position(in.position() + skip);
            remaining -= skip;
            if (remaining == 0) {
              state = state == State.FIXED ? State.DONE : State.CHUNK_END;
            }
          }
          case UNTIL_CLOSE -> {
            keep(in, in.remaining());
            in.position(in.limit());
          }
          default -> throw new AssertionError(state);
        }
      }
      return state == State.DONE;
    } finally {
      bytesSeen += in.position() - start;
    }
  }

  /**
   * The connection ended: returns true if that completes the answer (a body delimited by the close).
   */
  /** True while the answer's body runs until the connection closes (no length, not chunked). */
  boolean delimitedByClose() {
    return state == State.UNTIL_CLOSE;
  }

  boolean endOfInput() {
    if (state == State.UNTIL_CLOSE) {
      state = State.DONE;
      return true;
    }
    return state == State.DONE;
  }

  private boolean readLine(ByteBuffer in) throws ProtocolException {
    while (in.hasRemaining()) {
      byte b = in.get();
      if (b == '\n') {
        if (lineLength > 0 && line[lineLength - 1] == '\r') {
          lineLength--;
        }
        return true;
      }
      if (lineLength == MAX_LINE) {
        throw new ProtocolException("the shadow's answer has a line longer than " + MAX_LINE
            + " bytes");
      }
      line[lineLength++] = b;
      if (state != State.CHUNK_SIZE && state != State.CHUNK_END
          && ++headerBytes > MAX_HEADER_BYTES) {
        throw new ProtocolException("the shadow's answer has more than " + MAX_HEADER_BYTES
            + " bytes of headers");
      }
    }
    return false;
  }

  private void onLine() throws ProtocolException {
    int length = lineLength;
    lineLength = 0;
    switch (state) {
      case STATUS -> {
        if (length == 0 && status == 0) {
          return; // RFC 9112 2.2: ignore an empty line before the status line
        }
        parseStatus(length);
        headers = Headers.builder();
        state = State.HEADERS;
      }
      case HEADERS -> {
        if (length == 0) {
          takePending();
          endOfHeaders();
        } else if (line[0] == ' ' || line[0] == '\t') {
          continued(length);
        } else {
          takePending();
          header(length);
        }
      }
      case TRAILERS -> {
        if (length == 0) {
          state = State.DONE;
        }
      }
      case CHUNK_SIZE -> {
        remaining = chunkSize(length);
        state = remaining == 0 ? State.TRAILERS : State.CHUNK_DATA;
      }
      case CHUNK_END -> {
        if (length != 0) {
          throw new ProtocolException("the shadow's chunked answer has data after a chunk's end");
        }
        state = State.CHUNK_SIZE;
      }
      default -> throw new AssertionError(state);
    }
  }

  private void parseStatus(int length) throws ProtocolException {
    // "HTTP/1.1 204 No Content": version, space, three digits, then space or end
    if (length < 12 || !startsWith("HTTP/1.") || (line[7] != '1' && line[7] != '0')
        || line[8] != ' ' || (length > 12 && line[12] != ' ')) {
      throw new ProtocolException("the shadow's answer does not start with an HTTP/1.x status line: "
          + printable(length));
    }
    int code = 0;
    for (int i = 9; i < 12; i++) {
      if (line[i] < '0' || line[i] > '9') {
        throw new ProtocolException("the shadow's status line has no valid status code: "
            + printable(length));
      }
      code = code * 10 + (line[i] - '0');
    }
    if (code < 100) {
      throw new ProtocolException("the shadow's status code " + code + " is not in [100, 999]");
    }
    status = code;
    http10 = line[7] == '0';
  }

  private void header(int length) throws ProtocolException {
    int colon = -1;
    for (int i = 0; i < length; i++) {
      if (line[i] == ':') {
        colon = i;
        break;
      }
    }
    if (colon <= 0 || line[colon - 1] == ' ' || line[colon - 1] == '\t') {
      throw new ProtocolException("the shadow's answer has a malformed header line: "
          + printable(length));
    }
    int from = colon + 1;
    int to = length;
    while (from < to && (line[from] == ' ' || line[from] == '\t')) {
      from++;
    }
    while (to > from && (line[to - 1] == ' ' || line[to - 1] == '\t')) {
      to--;
    }
    pendingName = new String(line, 0, colon, StandardCharsets.ISO_8859_1);
    pendingValue = new StringBuilder(to - from)
        .append(new String(line, from, to - from, StandardCharsets.ISO_8859_1));
  }

  /**
   * An obs-fold line (RFC 9112 section 5.2): the previous header's value goes on, and the fold is
   * replaced by one space.
   */
  private void continued(int length) throws ProtocolException {
    if (pendingName == null) {
      throw new ProtocolException("the shadow's answer starts its headers with a folded line: "
          + printable(length));
    }
    int from = 0;
    int to = length;
    while (from < to && (line[from] == ' ' || line[from] == '\t')) {
      from++;
    }
    while (to > from && (line[to - 1] == ' ' || line[to - 1] == '\t')) {
      to--;
    }
    if (to > from) {
      if (pendingValue.length() > 0) {
        pendingValue.append(' '); // linear: a shadow folding a value many times costs no copies
      }
      pendingValue.append(new String(line, from, to - from, StandardCharsets.ISO_8859_1));
    }
  }

  /** Takes the header read last, now that no fold follows it. */
  private void takePending() throws ProtocolException {
    String name = pendingName;
    if (name == null) {
      return;
    }
    String value = pendingValue.toString();
    pendingName = null;
    pendingValue = null;
    if (status >= 200) {
      headers.add(name, value);
    }
    if (name.equalsIgnoreCase("Content-Length")) {
      long n = parseLength(value);
      if (contentLength >= 0 && contentLength != n) {
        throw new ProtocolException("the shadow's answer has two different Content-Length values");
      }
      contentLength = n;
    } else if (name.equalsIgnoreCase("Transfer-Encoding")) {
      chunked = value.toLowerCase(java.util.Locale.ROOT).endsWith("chunked");
      if (!chunked) {
        closeAfter = true; // another coding last: the body ends with the connection (RFC 9112 6.3)
      }
    } else if (name.equalsIgnoreCase("Connection")) {
      String v = value.toLowerCase(java.util.Locale.ROOT);
      if (v.contains("close")) {
        closeAfter = true;
      } else if (v.contains("keep-alive") && http10) {
        http10KeepAlive = true;
      }
    } else if (name.equalsIgnoreCase("Keep-Alive")) {
      keepAliveTimeoutSeconds = keepAliveTimeout(value);
    }
  }

  /** The {@code timeout} parameter of a Keep-Alive header ("timeout=5, max=100"), or -1. */
  private static long keepAliveTimeout(String value) {
    for (String part : value.split(",")) {
      String p = part.trim();
      if (p.regionMatches(true, 0, "timeout=", 0, 8)) {
        try {
          long seconds = Long.parseLong(p.substring(8).trim());
          return seconds >= 0 ? seconds : -1;
        } catch (NumberFormatException e) {
          return -1; // not a number: as if it was not said
        }
      }
    }
    return -1;
  }

  private void endOfHeaders() {
    if (status < 200) {
      // An interim answer (100 Continue, 103 Early Hints): the real one follows.
      int kept = status;
      startAnswer();
      if (kept == 101) {
        status = 101;
        state = State.DONE; // reported as the answer; the connection is not reused
        closeAfter = true;
      }
      return;
    }
    if (http10 && !http10KeepAlive) {
      closeAfter = true;
    }
    if (head || status == 204 || status == 304) {
      state = State.DONE;
    } else if (chunked) {
      state = State.CHUNK_SIZE;
    } else if (closeAfter && contentLength < 0) {
      state = State.UNTIL_CLOSE;
    } else if (contentLength >= 0) {
      remaining = contentLength;
      state = remaining == 0 ? State.DONE : State.FIXED;
    } else {
      closeAfter = true;
      state = State.UNTIL_CLOSE;
    }
  }

  private long chunkSize(int length) throws ProtocolException {
    long size = 0;
    int digits = 0;
    for (int i = 0; i < length; i++) {
      byte b = line[i];
      int d = Character.digit(b, 16);
      if (d < 0) {
        if (b == ';' || b == ' ' || b == '\t') {
          break; // chunk extensions are ignored
        }
        throw new ProtocolException("the shadow's chunked answer has an invalid chunk size: "
            + printable(length));
      }
      if (++digits > 15) {
        throw new ProtocolException("the shadow's chunked answer has a chunk size too large");
      }
      size = size * 16 + d;
    }
    if (digits == 0) {
      throw new ProtocolException("the shadow's chunked answer has an empty chunk size line");
    }
    return size;
  }

  private static long parseLength(String value) throws ProtocolException {
    if (value.isEmpty() || value.length() > 18) {
      throw new ProtocolException("the shadow's Content-Length is not a number: " + value);
    }
    long n = 0;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < '0' || c > '9') {
        throw new ProtocolException("the shadow's Content-Length is not a number: " + value);
      }
      n = n * 10 + (c - '0');
    }
    return n;
  }

  private boolean startsWith(String prefix) {
    for (int i = 0; i < prefix.length(); i++) {
      if (line[i] != prefix.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private String printable(int length) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < Math.min(length, 60); i++) {
      char c = (char) (line[i] & 0xff);
      out.append(c >= 0x20 && c < 0x7f ? c : '?');
    }
    return '"' + out.toString() + (length > 60 ? "…" : "") + '"';
  }

  /** Thrown for a read that cannot be an answer; kept as an IOException for classification. */
  static IOException closedEarly(long seen) {
    return new IOException(seen == 0
        ? "the shadow closed the connection without answering"
        : "the shadow closed the connection before its answer was complete");
  }
}
