package dev.mirror.servlet;

import dev.mirror.core.entry.CaptureSession;
import jakarta.servlet.ReadListener;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The request the application sees when it is mirrored: the same in every way, except that the
 * body passes through a tee, and forms are decoded from the teed bytes.
 */
final class MirroringRequest extends HttpServletRequestWrapper {

  /** Larger forms are refused, as containers refuse them (Tomcat's default maxPostSize is 2 MB). */
  static final int MAX_FORM_BYTES = 10 * 1024 * 1024;

  private final CaptureSession session;
  private final Runnable onAsyncComplete;
  private TeeServletInputStream stream;
  private BufferedReader reader;
  private Map<String, String[]> parameters;
  private boolean asyncStarted;
  /** The wrapped answer an async context hands out, in synchronous mode only; else null. */
  private ServletResponse heldResponse;
  /** The body, read ahead of the answer and served from what was kept; null if not. */
  private ServletInputStream replay;

  MirroringRequest(HttpServletRequest request, CaptureSession session, Runnable onAsyncComplete) {
    super(request);
    this.session = session;
    this.onAsyncComplete = onAsyncComplete;
  }

  boolean bodyTouched() {
    return stream != null || parameters != null || replay != null;
  }

  /**
   * Reading a body the application ignored would make the container send "100 Continue" that it
   * would not have sent otherwise; in that one case the body is not read for the copy.
   */
  boolean mayReadUnread() {
    String expect = getHeader("Expect");
    return bodyTouched() || expect == null || !expect.equalsIgnoreCase("100-continue");
  }

  /**
   * The application starts answering: a body it has not touched is read now (when its declared
   * length is within the limit), and the application reads it afterwards from what was kept.
   */
  void answerStarting() {
    if (bodyTouched() || !session.bodyOpen() || !mayReadUnread()) {
      return;
    }
    try {
      if (session.readAheadForAnswer(super.getInputStream(), getContentLengthLong())) {
        replay = new ReplayServletInputStream(session.replay());
      }
    } catch (IOException | RuntimeException e) {
      // the copy is given up at the end as incomplete; the application's reads are its own
    }
  }

  boolean asyncStarted() {
    return asyncStarted;
  }

  /**
   * Returns the container's stream to read what the application left, or null if the
   * application took the body through a reader in a state we cannot continue (never the case).
   */
  InputStream remainingBody() throws IOException {
    return stream != null ? stream.delegate() : super.getInputStream();
  }

  /** What the application reads: the tee, or the body already read ahead. */
  private ServletInputStream body() throws IOException {
    return replay != null ? replay : teeStream();
  }

  @Override
  public ServletInputStream getInputStream() throws IOException {
    if (reader != null) {
      throw new IllegalStateException("getReader() has already been called for this request");
    }
    return body();
  }

  private TeeServletInputStream teeStream() throws IOException {
    if (stream == null) {
      stream = new TeeServletInputStream(super.getInputStream(), session);
    }
    return stream;
  }

  @Override
  public BufferedReader getReader() throws IOException {
    if (reader == null) {
      if (stream != null) {
        throw new IllegalStateException("getInputStream() has already been called for this request");
      }
      reader = new BufferedReader(new InputStreamReader(body(), bodyCharset(false)));
    }
    return reader;
  }

  /**
   * The charset the container itself would decode the body with: the request's, else the
   * context's default, else the container's own default, which the Servlet spec leaves open for
   * forms: Jetty decodes them as UTF-8, Tomcat (and the spec's default) as ISO-8859-1.
   */
  private Charset bodyCharset(boolean form) {
    String encoding = getCharacterEncoding();
    if (encoding == null) {
      encoding = getServletContext().getRequestCharacterEncoding();
    }
    Charset fallback = form && getServletContext().getServerInfo().toLowerCase(Locale.ROOT)
        .contains("jetty") ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1;
    try {
      return encoding == null ? fallback : Charset.forName(encoding);
    } catch (IllegalArgumentException unsupported) {
      return fallback;
    }
  }

  private boolean isForm() {
    String type = getContentType();
    return "POST".equals(getMethod()) && type != null
        && type.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded");
  }

  /**
   * Serves parameters for forms from the teed bytes: the container would read the body through
   * its own stream, where the tee cannot see it. The query part still comes from the container.
   */
  private Map<String, String[]> parameters() {
    if (parameters != null) {
      return parameters;
    }
    if (!isForm() || stream != null || reader != null) {
      return super.getParameterMap();
    }
    byte[] body;
    try {
      body = readForm(body());
    } catch (IOException e) {
      throw new UncheckedIOException("Reading the form body failed", e);
    }
    Map<String, List<String>> merged = new LinkedHashMap<>();
    // The body stream is in use now, so the container parses only the query string.
    for (Map.Entry<String, String[]> query : super.getParameterMap().entrySet()) {
      merged.put(query.getKey(), new ArrayList<>(List.of(query.getValue())));
    }
    FormParameters.decode(body, body.length, bodyCharset(true), merged);
    parameters = Collections.unmodifiableMap(FormParameters.toArrays(merged));
    return parameters;
  }

  private static byte[] readForm(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] chunk = new byte[8192];
    int n;
    while ((n = in.read(chunk)) >= 0) {
      out.write(chunk, 0, n);
      if (out.size() > MAX_FORM_BYTES) {
        throw new IllegalStateException("Form too large: more than " + MAX_FORM_BYTES + " bytes");
      }
    }
    return out.toByteArray();
  }

  @Override
  public String getParameter(String name) {
    String[] values = parameters().get(name);
    return values == null || values.length == 0 ? null : values[0];
  }

  @Override
  public Map<String, String[]> getParameterMap() {
    return parameters();
  }

  @Override
  public Enumeration<String> getParameterNames() {
    return Collections.enumeration(parameters().keySet());
  }

  @Override
  public String[] getParameterValues(String name) {
    String[] values = parameters().get(name);
    return values == null ? null : values.clone();
  }

  /**
   * In synchronous mode, the answer as the filter wraps it: an async context started without
   * arguments hands it out (instead of the container's own), so that an answer written from
   * another thread still waits for the copies.
   */
  void holdAnswersThrough(ServletResponse response) {
    this.heldResponse = response;
  }

  @Override
  public AsyncContext startAsync() {
    return heldResponse == null ? watch(super.startAsync())
        : watch(super.startAsync(this, heldResponse));
  }

  @Override
  public AsyncContext startAsync(ServletRequest request, ServletResponse response) {
    return watch(super.startAsync(request, response));
  }

  /** The copy leaves when the exchange completes, so listen before the application can complete. */
  private AsyncContext watch(AsyncContext context) {
    if (!asyncStarted) {
      asyncStarted = true;
      context.addListener(new AsyncListener() {
        @Override
        public void onComplete(AsyncEvent event) {
          onAsyncComplete.run();
        }

        @Override
        public void onTimeout(AsyncEvent event) {
          // onComplete follows
        }

        @Override
        public void onError(AsyncEvent event) {
          // onComplete follows
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
          event.getAsyncContext().addListener(this);
        }
      });
    }
    return context;
  }

  /** The kept body served as the container's stream would serve it. */
  private static final class ReplayServletInputStream extends ServletInputStream {
    private final InputStream kept;

    ReplayServletInputStream(InputStream kept) {
      this.kept = kept;
    }

    @Override
    public int read() throws IOException {
      return kept.read();
    }

    @Override
    public int read(byte[] bytes, int offset, int length) throws IOException {
      return kept.read(bytes, offset, length);
    }

    @Override
    public int available() throws IOException {
      return kept.available();
    }

    @Override
    public boolean isFinished() {
      try {
        return kept.available() == 0;
      } catch (IOException e) {
        return true;
      }
    }

    @Override
    public boolean isReady() {
      return true;
    }

    @Override
    public void setReadListener(ReadListener listener) {
      try {
        if (!isFinished()) {
          listener.onDataAvailable();
        }
        listener.onAllDataRead();
      } catch (IOException e) {
        listener.onError(e);
      }
    }
  }
}
