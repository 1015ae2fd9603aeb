package dev.mirror.core.internal.http2;

import dev.mirror.api.Headers;
import dev.mirror.api.ShadowRequest;
import dev.mirror.core.internal.loop.EventLoop;
import dev.mirror.core.internal.tls.TlsSession;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.StandardSocketOptions;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * One HTTP/2 connection to a shadow (RFC 9113), cleartext with prior knowledge or TLS with ALPN
 * {@code h2}, owned by its event loop: every copy is a stream, its HEADERS and DATA written into
 * one buffer that the loop writes once per pass, so a burst of copies costs one write.
 *
 * <p>What it keeps to: the shadow's SETTINGS (concurrent streams, window, frame size), flow
 * control both ways (the shadow's windows bound what is sent; this side announces a 1 MiB stream
 * window and 16 MiB for the connection and widens them as answers are read), PING answered,
 * GOAWAY followed (streams the shadow did not take fail as never processed; the connection ends
 * when its last stream does), RST_STREAM ending only its stream, CONTINUATION for long header
 * blocks, and HPACK's dynamic table for answers. A copy fails by its own deadline (the target's
 * read timeout, from the moment it could be written) and its stream is reset; nothing is ever
 * sent twice.
 */
public final class Http2Connection implements EventLoop.Handler {

  private static final byte[] PREFACE =
      "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

  static final int DATA = 0x0;
  static final int HEADERS = 0x1;
  static final int PRIORITY = 0x2;
  static final int RST_STREAM = 0x3;
  static final int SETTINGS = 0x4;
  static final int PUSH_PROMISE = 0x5;
  static final int PING = 0x6;
  static final int GOAWAY = 0x7;
  static final int WINDOW_UPDATE = 0x8;
  static final int CONTINUATION = 0x9;

  private static final int END_STREAM = 0x1;
  private static final int ACK = 0x1;
  private static final int END_HEADERS = 0x4;
  private static final int PADDED = 0x8;
  private static final int PRIORITY_FLAG = 0x20;

  private static final int NO_ERROR = 0x0;
  private static final int PROTOCOL_ERROR = 0x1;
  private static final int FLOW_CONTROL_ERROR = 0x3;
  private static final int FRAME_SIZE_ERROR = 0x6;
  private static final int REFUSED_STREAM = 0x7;
  /** Times a refused copy is sent again before it fails: {@value}. */
  private static final int MAX_REFUSALS = 2;
  /** An unused connection is closed after this long: {@value} s. */
  private static final long IDLE_SECONDS = 60;
  private static final int CANCEL = 0x8;
  private static final int COMPRESSION_ERROR = 0x9;

  /** The largest frame this side takes (SETTINGS_MAX_FRAME_SIZE's default). */
  private static final int MAX_FRAME = 16_384;
  private static final int STREAM_WINDOW = 1 << 20;
  private static final int CONNECTION_WINDOW = 1 << 24;
  private static final int DEFAULT_WINDOW = 65_535;
  /** A header block beyond this fails the connection: no answer a copy needs is that long. */
  private static final int MAX_HEADER_BLOCK = 256 * 1024;
  /** Stream ids are 31 bits: past this one, new copies go to a new connection. */
  private static final int LAST_STREAM_ID = Integer.MAX_VALUE - 2;
  private static final Set<String> NOT_SENT = Set.of("host", "connection", "keep-alive",
      "proxy-connection", "transfer-encoding", "upgrade", "http2-settings", "content-length");

  enum State { CONNECTING, HANDSHAKING, OPEN, CLOSED }

  private final Http2Pool pool;
  private final SocketChannel channel;
  private final SelectionKey key;
  private final TlsSession tls;
  private final HpackDecoder decoder = new HpackDecoder();
  private final HpackEncoder encoder = new HpackEncoder();
  private final Map<Integer, Http2Stream> streams = new HashMap<>();
  /** Every stream not yet ended, in the order they came: deadlines come in the same order. */
  private final ArrayDeque<Http2Stream> byDeadline = new ArrayDeque<>();
  /** Streams waiting for the connection to open or for the shadow to allow more streams. */
  private final ArrayDeque<Http2Stream> pending = new ArrayDeque<>();
  /** Started streams with body left that wait for a window. */
  private final ArrayDeque<Http2Stream> blocked = new ArrayDeque<>();

  private State state = State.CONNECTING;
  private long connectDeadlineNanos;
  private ByteBuffer out = ByteBuffer.allocate(16 * 1024);
  private ByteBuffer in = ByteBuffer.allocate(MAX_FRAME + 9 + 1024).flip();
  private boolean dirty;
  private boolean writeBlocked;
  private boolean settingsSeen;
  private boolean goingAway;
  private boolean exhausted;
  private boolean goAwaySent;
  private long idleSinceNanos;
  private int nextStreamId = 1;
  private long sendWindow = DEFAULT_WINDOW;
  private long peerInitialWindow = DEFAULT_WINDOW;
  private int peerMaxFrame = MAX_FRAME;
  private long peerMaxStreams = Long.MAX_VALUE;
  private int unacknowledged;
  private long lastReadNanos;
  private boolean pinging;
  private long pingSentNanos;
  /** The header block being gathered from HEADERS and CONTINUATION frames, and its stream. */
  private ByteBuffer headerBlock;
  private int headerStreamId;
  private boolean headerEndStream;

  /** Opens a socket registered with the pool's loop; {@link #connect} starts the connection. */
  Http2Connection(Http2Pool pool) throws IOException {
    this.pool = pool;
    SocketChannel ch = SocketChannel.open();
    try {
      ch.configureBlocking(false);
      ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
      this.channel = ch;
      this.key = ch.register(pool.loop().selector(), 0, this);
      this.tls = pool.newTlsSession(ch);
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  void connect(InetSocketAddress address, long nowNanos) {
    connectDeadlineNanos = nowNanos + pool.connectTimeoutNanos();
    try {
      if (channel.connect(address)) {
        connected(nowNanos);
      } else {
        key.interestOps(SelectionKey.OP_CONNECT);
      }
    } catch (IOException | RuntimeException e) {
      fail(e);
    }
  }

  /** True while this connection can take another stream without making it wait. */
  boolean hasRoom() {
    return state != State.CLOSED && !goingAway && !exhausted
        && streams.size() + pending.size() < Math.min(peerMaxStreams,
            Http2Pool.STREAMS_PER_CONNECTION);
  }

  /** True while this connection may still take streams (perhaps to wait). */
  boolean usable() {
    return state != State.CLOSED && !goingAway && !exhausted;
  }

  /** Streams started or waiting here. */
  int load() {
    return streams.size() + pending.size();
  }

  /** Takes a copy: started now if the connection is open and the shadow allows, else queued. */
  void enqueue(Http2Stream stream, long nowNanos) {
    stream.connection = this;
    if (state == State.OPEN && stream.deadlineNanos == 0) {
      stream.deadlineNanos = nowNanos + pool.readTimeoutNanos();
    }
    byDeadline.addLast(stream);
    if (state == State.OPEN && settingsSeen && pending.isEmpty()
        && streams.size() < peerMaxStreams) {
      start(stream);
    } else {
      pending.addLast(stream);
    }
  }

  private void connected(long nowNanos) throws IOException {
    if (tls == null) {
      opened(nowNanos);
    } else {
      state = State.HANDSHAKING; // still under the connect timeout
      handshake(nowNanos);
    }
  }

  private void handshake(long nowNanos) throws IOException {
    switch (tls.handshake()) {
      case NONE -> {
        if (!"h2".equals(tls.applicationProtocol())) {
          throw new SSLException("the shadow did not agree to HTTP/2 in the TLS handshake (ALPN"
              + " chose " + (tls.applicationProtocol() == null || tls.applicationProtocol().isEmpty()
              ? "nothing" : tls.applicationProtocol()) + ")");
        }
        opened(nowNanos);
      }
      case READ -> key.interestOps(SelectionKey.OP_READ);
      case WRITE -> key.interestOps(SelectionKey.OP_WRITE);
      default -> throw new AssertionError();
    }
  }

  private void opened(long nowNanos) {
    state = State.OPEN;
    lastReadNanos = nowNanos;
    key.interestOps(SelectionKey.OP_READ);
    ensure(PREFACE.length + 9 + 12 + 13);
    out.put(PREFACE);
    frameHeader(12, SETTINGS, 0, 0);
    out.putShort((short) 0x2).putInt(0); // ENABLE_PUSH: no
    out.putShort((short) 0x4).putInt(STREAM_WINDOW); // INITIAL_WINDOW_SIZE
    frameHeader(4, WINDOW_UPDATE, 0, 0);
    out.putInt(CONNECTION_WINDOW - DEFAULT_WINDOW);
    // The read timeout of what waited for the connection starts now.
    for (Http2Stream s : byDeadline) {
      if (s.deadlineNanos == 0) {
        s.deadlineNanos = nowNanos + pool.readTimeoutNanos();
      }
    }
    startPending();
    markDirty();
  }

  private void startPending() {
    if (exhausted && !pending.isEmpty()) {
      Http2Stream s;
      while ((s = pending.pollFirst()) != null) {
        if (!s.done()) {
          pool.reroute(s); // never written here
        }
      }
    }
    // Not before the shadow's SETTINGS: until then its stream limit is unknown.
    while (!pending.isEmpty() && settingsSeen && streams.size() < peerMaxStreams
        && state == State.OPEN && !goingAway && !exhausted) {
      Http2Stream s = pending.pollFirst();
      if (!s.done()) {
        start(s);
      }
    }
  }

  /** Writes the stream's HEADERS (and CONTINUATION) and as much DATA as the windows allow. */
  private void start(Http2Stream stream) {
    stream.id = nextStreamId;
    nextStreamId += 2;
    if (nextStreamId >= LAST_STREAM_ID) {
      exhausted = true; // no id left for another stream: new copies go to a new connection
    }
    stream.sendWindow = peerInitialWindow;
    streams.put(stream.id, stream);
    ByteBuffer block = encode(stream.request);
    boolean endStream = !stream.body.hasRemaining();
    int flags = endStream ? END_STREAM : 0;
    int type = HEADERS;
    do {
      int n = Math.min(block.remaining(), peerMaxFrame);
      ensure(9 + n);
      frameHeader(n, type, flags | (n == block.remaining() ? END_HEADERS : 0), stream.id);
      out.put(block.slice(block.position(), n));
      block.position(block.position() + n);
      type = CONTINUATION;
      flags = 0;
    } while (block.hasRemaining());
    if (!endStream) {
      sendData(stream);
    }
    markDirty();
  }

  private ByteBuffer encode(ShadowRequest request) {
    HpackEncoder e = encoder.begin();
    e.field(":method", request.method());
    e.field(":scheme", tls == null ? "http" : "https");
    e.field(":authority", pool.authority());
    String path = request.uri().getRawPath();
    String query = request.uri().getRawQuery();
    e.field(":path", (path == null || path.isEmpty() ? "/" : path)
        + (query == null ? "" : "?" + query));
    Headers headers = request.headers();
    for (int i = 0; i < headers.size(); i++) {
      String name = headers.name(i).toLowerCase(Locale.ROOT);
      if (name.isEmpty() || name.charAt(0) == ':' || NOT_SENT.contains(name)
          || (name.equals("te") && !headers.value(i).trim().equalsIgnoreCase("trailers"))) {
        continue; // connection-specific (RFC 9113 §8.2.2), or the transport's own
      }
      e.field(name, headers.value(i));
    }
    return e.block();
  }

  private void sendData(Http2Stream stream) {
    ByteBuffer body = stream.body;
    while (body.hasRemaining()) {
      int n = (int) Math.min(Math.min(body.remaining(), peerMaxFrame),
          Math.min(stream.sendWindow, sendWindow));
      if (n <= 0) {
        if (!stream.blocked) {
          stream.blocked = true;
          blocked.addLast(stream);
        }
        return;
      }
      ensure(9 + n);
      frameHeader(n, DATA, n == body.remaining() ? END_STREAM : 0, stream.id);
      out.put(body.slice(body.position(), n));
      body.position(body.position() + n);
      stream.sendWindow -= n;
      sendWindow -= n;
    }
    markDirty();
  }

  private void resumeBlocked() {
    int n = blocked.size();
    for (int i = 0; i < n && sendWindow > 0; i++) {
      Http2Stream s = blocked.pollFirst();
      s.blocked = false;
      if (!s.done() && streams.get(s.id) == s) {
        sendData(s);
      }
    }
  }

  private void frameHeader(int length, int type, int flags, int streamId) {
    out.put((byte) (length >>> 16)).put((byte) (length >>> 8)).put((byte) length)
        .put((byte) type).put((byte) flags).putInt(streamId);
  }

  private void ensure(int more) {
    if (out.remaining() < more) {
      ByteBuffer bigger = ByteBuffer.allocate(Math.max(out.capacity() * 2, out.position() + more));
      out.flip();
      bigger.put(out);
      out = bigger;
    }
  }

  private void markDirty() {
    if (!dirty && state == State.OPEN) {
      dirty = true;
      pool.dirty(this);
    }
  }

  /** Writes what this pass queued (called by the loop before it sleeps). */
  void flush() {
    dirty = false;
    if (state != State.OPEN) {
      return;
    }
    try {
      write();
    } catch (IOException | RuntimeException e) {
      fail(e);
    }
  }

  private void write() throws IOException {
    out.flip();
    boolean pending;
    try {
      if (tls == null) {
        if (out.hasRemaining()) {
          channel.write(out);
        }
        pending = out.hasRemaining();
      } else {
        pending = !tls.write(new ByteBuffer[] {out}, 0, 1);
      }
    } finally {
      out.compact();
    }
    if (pending != writeBlocked) {
      writeBlocked = pending;
      key.interestOps(pending ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ);
    }
  }

  @Override
  public void ready(SelectionKey selected) {
    try {
      switch (state) {
        case CONNECTING -> {
          if (channel.finishConnect()) {
            connected(System.nanoTime());
          }
        }
        case HANDSHAKING -> handshake(System.nanoTime());
        case OPEN -> {
          if (selected.isWritable()) {
            write();
          }
          if (selected.isReadable() && state == State.OPEN) {
            read();
          }
        }
        case CLOSED -> { }
        default -> throw new AssertionError(state);
      }
    } catch (IOException | RuntimeException e) {
      fail(e);
    }
  }

  private void read() throws IOException {
    while (state == State.OPEN) {
      ByteBuffer buffer;
      if (tls == null) {
        buffer = pool.readBuffer();
        buffer.clear();
        int n = channel.read(buffer);
        buffer.flip();
        if (n < 0) {
          buffer = null;
        }
      } else {
        buffer = tls.read();
      }
      if (buffer == null) {
        fail(new IOException("the shadow closed the HTTP/2 connection"
            + (streams.isEmpty() ? "" : " with " + streams.size() + " copies unanswered")));
        return;
      }
      if (!buffer.hasRemaining()) {
        return;
      }
      lastReadNanos = System.nanoTime();
      append(buffer);
      frames();
    }
  }

  private void append(ByteBuffer bytes) {
    if (in.capacity() - in.remaining() < bytes.remaining()) {
      ByteBuffer bigger = ByteBuffer.allocate(in.remaining() + bytes.remaining() + MAX_FRAME);
      bigger.put(in);
      in = bigger.flip();
    }
    in.compact().put(bytes).flip();
  }

  private void frames() throws IOException {
    while (state == State.OPEN && in.remaining() >= 9) {
      int p = in.position();
      int length = (in.get(p) & 0xff) << 16 | (in.get(p + 1) & 0xff) << 8 | (in.get(p + 2) & 0xff);
      if (length > MAX_FRAME) {
        throw connectionError(FRAME_SIZE_ERROR, "a frame of " + length + " octets, more than the "
            + MAX_FRAME + " allowed");
      }
      if (in.remaining() < 9 + length) {
        return;
      }
      int type = in.get(p + 3) & 0xff;
      int flags = in.get(p + 4) & 0xff;
      int streamId = in.getInt(p + 5) & 0x7fffffff;
      ByteBuffer payload = in.slice(p + 9, length);
      in.position(p + 9 + length);
      frame(type, flags, streamId, payload);
    }
  }

  private void frame(int type, int flags, int streamId, ByteBuffer payload) throws IOException {
    if (!settingsSeen && type != SETTINGS) {
      throw connectionError(PROTOCOL_ERROR, "the shadow's first frame was not SETTINGS (type "
          + type + "): not an HTTP/2 server?");
    }
    if (headerBlock != null && (type != CONTINUATION || streamId != headerStreamId)) {
      throw connectionError(PROTOCOL_ERROR, "a header block interrupted by a frame of type "
          + type);
    }
    switch (type) {
      case DATA -> data(flags, streamId, payload);
      case HEADERS -> headers(flags, streamId, payload);
      case CONTINUATION -> {
        if (headerBlock == null) {
          throw connectionError(PROTOCOL_ERROR, "CONTINUATION without HEADERS");
        }
        gather(payload, (flags & END_HEADERS) != 0);
      }
      case RST_STREAM -> {
        if (streamId == 0) {
          throw connectionError(PROTOCOL_ERROR, "RST_STREAM on stream 0");
        }
        if (payload.remaining() != 4) {
          throw connectionError(FRAME_SIZE_ERROR, "a RST_STREAM of " + payload.remaining()
              + " octets");
        }
        Http2Stream s = streams.remove(streamId);
        int code = payload.getInt(0);
        if (s != null && code == REFUSED_STREAM && s.refusals++ < MAX_REFUSALS && !goingAway) {
          // Not processed (RFC 9113 §8.7): sending it again cannot make a duplicate. It waits
          // for another stream to end (or new SETTINGS), unless none is open to end.
          s.unstarted();
          pending.addFirst(s);
          if (streams.isEmpty()) {
            startPending();
          }
        } else if (s != null) {
          s.fail(new IOException("the shadow reset the copy's stream (" + errorName(code) + ")"));
          streamEnded();
        }
      }
      case SETTINGS -> settings(flags, streamId, payload);
      case PING -> {
        if (streamId != 0) {
          throw connectionError(PROTOCOL_ERROR, "PING on a stream");
        }
        if (payload.remaining() != 8) {
          throw connectionError(FRAME_SIZE_ERROR, "a PING of " + payload.remaining() + " octets");
        }
        if ((flags & ACK) == 0) {
          ensure(17);
          frameHeader(8, PING, ACK, 0);
          out.put(payload);
          markDirty();
        }
      }
      case GOAWAY -> goAway(payload);
      case WINDOW_UPDATE -> windowUpdate(streamId, payload);
      case PUSH_PROMISE -> throw connectionError(PROTOCOL_ERROR, "PUSH_PROMISE, which this side"
          + " disabled");
      default -> { } // PRIORITY and unknown types are ignored (RFC 9113 §4.1, §5.5)
    }
  }

  private void data(int flags, int streamId, ByteBuffer payload) throws IOException {
    if (streamId == 0) {
      throw connectionError(PROTOCOL_ERROR, "DATA on stream 0");
    }
    int length = payload.remaining();
    unacknowledged += length;
    if (unacknowledged >= CONNECTION_WINDOW / 2) {
      windowUpdate(0, unacknowledged);
      unacknowledged = 0;
    }
    Http2Stream s = streams.get(streamId);
    if (s == null) {
      return; // a stream this side ended already: its data only counts for the connection
    }
    if (s.status == 0) {
      resetStream(s, PROTOCOL_ERROR, new ProtocolException("the shadow sent DATA before the"
          + " answer's headers"));
      return;
    }
    if ((flags & END_STREAM) != 0) {
      end(s);
      return;
    }
    s.unacknowledged += length;
    if (s.unacknowledged >= STREAM_WINDOW / 2) {
      windowUpdate(s.id, s.unacknowledged);
      s.unacknowledged = 0;
    }
  }

  private void headers(int flags, int streamId, ByteBuffer payload) throws IOException {
    if (streamId == 0) {
      throw connectionError(PROTOCOL_ERROR, "HEADERS on stream 0");
    }
    int padding = 0;
    if ((flags & PADDED) != 0) {
      padding = payload.get() & 0xff;
    }
    if ((flags & PRIORITY_FLAG) != 0) {
      payload.position(payload.position() + 5);
    }
    if (padding > payload.remaining()) {
      throw connectionError(PROTOCOL_ERROR, "HEADERS padding longer than the frame");
    }
    payload.limit(payload.limit() - padding);
    headerStreamId = streamId;
    headerEndStream = (flags & END_STREAM) != 0;
    headerBlock = ByteBuffer.allocate(Math.max(payload.remaining(), 256));
    gather(payload, (flags & END_HEADERS) != 0);
  }

  private void gather(ByteBuffer fragment, boolean last) throws IOException {
    if (headerBlock.remaining() < fragment.remaining()) {
      if (headerBlock.position() + fragment.remaining() > MAX_HEADER_BLOCK) {
        throw connectionError(PROTOCOL_ERROR, "a header block over " + MAX_HEADER_BLOCK
            + " octets");
      }
      ByteBuffer bigger = ByteBuffer.allocate(Math.max(headerBlock.capacity() * 2,
          headerBlock.position() + fragment.remaining()));
      headerBlock.flip();
      bigger.put(headerBlock);
      headerBlock = bigger;
    }
    headerBlock.put(fragment);
    if (!last) {
      return;
    }
    ByteBuffer block = headerBlock.flip();
    headerBlock = null;
    Http2Stream s = streams.get(headerStreamId);
    boolean trailers = s != null && s.status != 0;
    int[] status = {0};
    Headers.Builder fields = s == null ? null
        : trailers ? s.headers : Headers.builder();
    try {
      decoder.decode(block, (name, value) -> {
        if (name.equals(":status")) {
          status[0] = parseStatus(value);
        } else if (fields != null && !name.startsWith(":")) {
          fields.add(name, value);
        }
      });
    } catch (ProtocolException e) {
      throw connectionError(COMPRESSION_ERROR, e.getMessage());
    }
    if (s == null) {
      return; // decoded all the same, so the table stays in step
    }
    if (!trailers) {
      if (status[0] < 200) {
        if (status[0] >= 100 && !headerEndStream) {
          return; // an interim answer; the final one follows
        }
        resetStream(s, PROTOCOL_ERROR, new ProtocolException("the shadow's answer had no valid"
            + " :status"));
        return;
      }
      s.status = status[0];
      s.headers = fields;
    } else if (!headerEndStream) {
      resetStream(s, PROTOCOL_ERROR, new ProtocolException("the shadow sent trailers that do"
          + " not end the stream"));
      return;
    }
    if (headerEndStream) {
      end(s);
    }
  }

  private static int parseStatus(String value) {
    if (value.length() != 3) {
      return -1;
    }
    int status = 0;
    for (int i = 0; i < 3; i++) {
      char c = value.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      status = status * 10 + (c - '0');
    }
    return status;
  }

  private void settings(int flags, int streamId, ByteBuffer payload) throws IOException {
    if (streamId != 0) {
      throw connectionError(PROTOCOL_ERROR, "SETTINGS on a stream");
    }
    if ((flags & ACK) != 0) {
      if (payload.hasRemaining()) {
        throw connectionError(FRAME_SIZE_ERROR, "a SETTINGS acknowledgement with a payload");
      }
      return;
    }
    if (payload.remaining() % 6 != 0) {
      throw connectionError(FRAME_SIZE_ERROR, "SETTINGS of " + payload.remaining() + " octets");
    }
    settingsSeen = true;
    while (payload.hasRemaining()) {
      int id = payload.getShort() & 0xffff;
      long value = payload.getInt() & 0xffffffffL;
      switch (id) {
        case 0x3 -> peerMaxStreams = value;
        case 0x4 -> {
          if (value > Integer.MAX_VALUE) {
            throw connectionError(FLOW_CONTROL_ERROR, "an initial window of " + value);
          }
          long delta = value - peerInitialWindow;
          peerInitialWindow = value;
          for (Http2Stream s : streams.values()) {
            s.sendWindow += delta;
            if (s.sendWindow > Integer.MAX_VALUE) {
              throw connectionError(FLOW_CONTROL_ERROR, "a stream window over 2^31-1");
            }
          }
        }
        case 0x5 -> {
          if (value < MAX_FRAME || value > 0xffffff) {
            throw connectionError(PROTOCOL_ERROR, "a maximum frame size of " + value);
          }
          peerMaxFrame = (int) value;
        }
        default -> { } // header table size (this side never indexes), push, list size, unknown
      }
    }
    ensure(9);
    frameHeader(0, SETTINGS, ACK, 0);
    markDirty();
    resumeBlocked();
    startPending();
  }

  private void goAway(ByteBuffer payload) throws IOException {
    if (payload.remaining() < 8) {
      throw connectionError(FRAME_SIZE_ERROR, "a GOAWAY of " + payload.remaining() + " octets");
    }
    int last = payload.getInt(0) & 0x7fffffff;
    int code = payload.getInt(4);
    goingAway = true;
    // Streams above the last one it took, and copies never written, were not processed (RFC
    // 9113 §6.8): they go on another connection without being sent twice.
    for (Http2Stream s : streams.values().toArray(new Http2Stream[0])) {
      if (s.id > last) {
        streams.remove(s.id);
        s.unstarted();
        pending.addLast(s);
      }
    }
    Http2Stream s;
    while ((s = pending.pollFirst()) != null) {
      if (!s.done()) {
        pool.reroute(s);
      }
    }
    if (streams.isEmpty()) {
      close();
    }
  }

  private void windowUpdate(int streamId, ByteBuffer payload) throws IOException {
    if (payload.remaining() != 4) {
      throw connectionError(FRAME_SIZE_ERROR, "a WINDOW_UPDATE of " + payload.remaining()
          + " octets");
    }
    int increment = payload.getInt(0) & 0x7fffffff;
    if (streamId == 0) {
      if (increment == 0 || sendWindow + increment > Integer.MAX_VALUE) {
        throw connectionError(increment == 0 ? PROTOCOL_ERROR : FLOW_CONTROL_ERROR,
            "a connection window update of " + increment);
      }
      sendWindow += increment;
      resumeBlocked();
      return;
    }
    Http2Stream s = streams.get(streamId);
    if (s == null) {
      return;
    }
    if (increment == 0 || s.sendWindow + increment > Integer.MAX_VALUE) {
      resetStream(s, increment == 0 ? PROTOCOL_ERROR : FLOW_CONTROL_ERROR,
          new ProtocolException("a stream window update of " + increment));
      return;
    }
    s.sendWindow += increment;
    if (s.blocked) {
      resumeBlocked();
    }
  }

  private void windowUpdate(int streamId, int increment) {
    ensure(13);
    frameHeader(4, WINDOW_UPDATE, 0, streamId);
    out.putInt(increment);
    markDirty();
  }

  private void end(Http2Stream s) {
    streams.remove(s.id);
    if (s.body.hasRemaining()) {
      // Answered before its body was all sent: this side's half is closed with a reset, or the
      // stream would count against the shadow's limit for good (RFC 9113 §8.1, §5.1.2).
      ensure(13);
      frameHeader(4, RST_STREAM, 0, s.id);
      out.putInt(CANCEL);
      markDirty();
    }
    s.answered();
    streamEnded();
  }

  private void resetStream(Http2Stream s, int code, IOException cause) {
    streams.remove(s.id);
    ensure(13);
    frameHeader(4, RST_STREAM, 0, s.id);
    out.putInt(code);
    markDirty();
    s.fail(cause);
    streamEnded();
  }

  private void streamEnded() {
    if ((goingAway || exhausted) && streams.isEmpty()) {
      close();
      return;
    }
    startPending();
  }

  /**
   * Fails the copies whose deadline passed (resetting their streams) and a connection that does
   * not open in time; returns the earliest deadline still ahead, or 0 if none.
   */
  long expire(long nowNanos) {
    if (state == State.CONNECTING || state == State.HANDSHAKING) {
      if (nowNanos - connectDeadlineNanos >= 0) {
        fail(new HttpConnectTimeoutException("no HTTP/2 connection to the shadow within the"
            + " connect timeout of " + pool.connectTimeoutNanos() / 1_000_000 + " ms"));
        return 0;
      }
      return connectDeadlineNanos;
    }
    if (pinging && lastReadNanos - pingSentNanos >= 0) {
      pinging = false;
    } else if (pinging && nowNanos - pingSentNanos >= pool.readTimeoutNanos()) {
      fail(new IOException("the HTTP/2 connection to the shadow went silent: no answer to a PING"
          + " within the read timeout"));
      return 0;
    }
    if (!settingsSeen) {
      if (nowNanos - connectDeadlineNanos >= 0) {
        fail(new HttpConnectTimeoutException("the shadow sent no HTTP/2 SETTINGS within the"
            + " connect timeout: not an HTTP/2 server?"));
        return 0;
      }
      long streamsDue = expireStreams(nowNanos);
      return streamsDue != 0 && streamsDue - connectDeadlineNanos < 0 ? streamsDue
          : connectDeadlineNanos;
    }
    if (streams.isEmpty() && pending.isEmpty()) {
      if (idleSinceNanos == 0) {
        idleSinceNanos = nowNanos;
      } else if (nowNanos - idleSinceNanos >= TimeUnit.SECONDS.toNanos(IDLE_SECONDS)) {
        close(); // unused for a while: the shadow need not keep it
        return 0;
      }
    } else {
      idleSinceNanos = 0;
    }
    return expireStreams(nowNanos);
  }

  private long expireStreams(long nowNanos) {
    Http2Stream head;
    while ((head = byDeadline.peekFirst()) != null) {
      if (head.done() || head.connection != this) {
        byDeadline.pollFirst();
        continue;
      }
      if (nowNanos - head.deadlineNanos < 0) {
        return pinging ? Math.min(head.deadlineNanos, pingSentNanos + pool.readTimeoutNanos())
            : head.deadlineNanos;
      }
      byDeadline.pollFirst();
      HttpTimeoutException timeout = new HttpTimeoutException("no answer within the read timeout"
          + " of " + pool.readTimeoutNanos() / 1_000_000 + " ms");
      if (head.id != 0 && streams.remove(head.id) == head) {
        ensure(13);
        frameHeader(4, RST_STREAM, 0, head.id);
        out.putInt(CANCEL);
        markDirty();
        head.fail(timeout);
        if (!pinging && nowNanos - lastReadNanos >= pool.readTimeoutNanos()) {
          // Nothing came for a whole read timeout: a PING tells a slow shadow from a dead
          // connection, without failing the copies still within their time.
          pinging = true;
          pingSentNanos = nowNanos;
          ensure(17);
          frameHeader(8, PING, 0, 0);
          out.putLong(nowNanos);
        }
        streamEnded();
      } else {
        pending.remove(head);
        head.fail(timeout);
      }
    }
    return pinging ? pingSentNanos + pool.readTimeoutNanos() : 0;
  }

  private IOException connectionError(int code, String message) {
    if (state == State.OPEN && !goAwaySent) {
      goAwaySent = true;
      ensure(17);
      frameHeader(8, GOAWAY, 0, 0);
      out.putInt(0).putInt(code);
      dirty = false;
      try {
        write(); // best effort: the shadow learns why
      } catch (IOException | RuntimeException e) {
        // closing anyway
      }
    }
    return new ProtocolException("HTTP/2: " + message + " (" + errorName(code) + ")");
  }

  /** Fails every copy here with the cause and closes. */
  void fail(Throwable cause) {
    if (state == State.CLOSED) {
      return;
    }
    // Snapshots: a future's callbacks run here, on the loop, and may send more copies.
    Http2Stream[] all = streams.values().toArray(new Http2Stream[0]);
    Http2Stream[] waiting = pending.toArray(new Http2Stream[0]);
    streams.clear();
    pending.clear();
    for (Http2Stream s : all) {
      s.fail(cause);
    }
    for (Http2Stream s : waiting) {
      if (s.connection == this) {
        s.fail(cause);
      }
    }
    close();
  }

  /** Closes the socket; copies still here fail. */
  void close() {
    if (state == State.CLOSED) {
      return;
    }
    if (state == State.OPEN && streams.isEmpty() && pending.isEmpty() && !goAwaySent) {
      goAwaySent = true;
      ensure(17);
      frameHeader(8, GOAWAY, 0, 0);
      out.putInt(0).putInt(NO_ERROR);
      try {
        write();
      } catch (IOException | RuntimeException e) {
        // closing anyway
      }
    }
    state = State.CLOSED;
    IOException closed = new IOException("the HTTP/2 connection to the shadow closed");
    Http2Stream[] all = streams.values().toArray(new Http2Stream[0]);
    Http2Stream[] waiting = pending.toArray(new Http2Stream[0]);
    streams.clear();
    pending.clear();
    for (Http2Stream s : all) {
      s.fail(closed);
    }
    for (Http2Stream s : waiting) {
      if (s.connection == this) {
        s.fail(closed);
      }
    }
    byDeadline.clear();
    blocked.clear();
    key.cancel();
    try {
      channel.close();
    } catch (IOException e) {
      // nothing more to do
    }
    pool.closed(this);
  }

  static String errorName(int code) {
    return switch (code) {
      case 0x0 -> "NO_ERROR";
      case 0x1 -> "PROTOCOL_ERROR";
      case 0x2 -> "INTERNAL_ERROR";
      case 0x3 -> "FLOW_CONTROL_ERROR";
      case 0x4 -> "SETTINGS_TIMEOUT";
      case 0x5 -> "STREAM_CLOSED";
      case 0x6 -> "FRAME_SIZE_ERROR";
      case 0x7 -> "REFUSED_STREAM";
      case 0x8 -> "CANCEL";
      case 0x9 -> "COMPRESSION_ERROR";
      case 0xa -> "CONNECT_ERROR";
      case 0xb -> "ENHANCE_YOUR_CALM";
      case 0xc -> "INADEQUATE_SECURITY";
      case 0xd -> "HTTP_1_1_REQUIRED";
      default -> "error 0x" + Integer.toHexString(code);
    };
  }
}
