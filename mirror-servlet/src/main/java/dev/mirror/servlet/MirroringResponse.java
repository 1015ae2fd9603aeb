package dev.mirror.servlet;

import dev.mirror.api.Headers;
import dev.mirror.core.entry.AnswerCapture;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Collection;

/**
 * The answer of a mirrored request, unchanged, except that the filter is told once, before the
 * application starts answering: some containers stop serving the request body once the answer is
 * complete (Tomcat, after a sized answer's last byte or a closed stream), so a body the
 * application never read must be read before then. For a request whose answer is compared, the
 * body the application writes is also teed into an {@link AnswerCapture}, byte for byte.
 */
final class MirroringResponse extends HttpServletResponseWrapper {

  private final Runnable beforeAnswer;
  private final AnswerCapture capture;
  private boolean told;
  private ServletOutputStream teedStream;
  private PrintWriter teedWriter;

  MirroringResponse(HttpServletResponse response, Runnable beforeAnswer, AnswerCapture capture) {
    super(response);
    this.beforeAnswer = beforeAnswer;
    this.capture = capture;
  }

  /** The answer's status and headers as the container holds them now. */
  Headers headers() {
    HttpServletResponse response = (HttpServletResponse) getResponse();
    Headers.Builder headers = Headers.builder();
    Collection<String> names = response.getHeaderNames();
    boolean typed = false;
    for (String name : names) {
      for (String value : response.getHeaders(name)) {
        headers.add(name, value);
      }
      typed |= name.equalsIgnoreCase("Content-Type");
    }
    if (!typed && response.getContentType() != null) {
      headers.add("Content-Type", response.getContentType());
    }
    return headers.build();
  }

  private void answering() {
    if (!told) {
      told = true;
      beforeAnswer.run();
    }
  }

  @Override
  public ServletOutputStream getOutputStream() throws IOException {
    answering();
    ServletOutputStream out = super.getOutputStream();
    if (capture == null) {
      return out;
    }
    if (teedStream == null) {
      teedStream = new TeeOutputStream(out, capture);
    }
    return teedStream;
  }

  @Override
  public PrintWriter getWriter() throws IOException {
    answering();
    PrintWriter writer = super.getWriter();
    if (capture == null) {
      return writer;
    }
    if (teedWriter == null) {
      String encoding = getCharacterEncoding();
      Charset charset;
      try {
        charset = encoding == null ? StandardCharsets.ISO_8859_1 : Charset.forName(encoding);
      } catch (RuntimeException unknown) {
        charset = StandardCharsets.UTF_8;
      }
      teedWriter = new PrintWriter(new TeeWriter(writer, capture, charset));
    }
    return teedWriter;
  }

  /** The application's bytes go out unchanged, and are kept for comparison. */
  private static final class TeeOutputStream extends ServletOutputStream {
    private final ServletOutputStream out;
    private final java.io.OutputStream teed;

    TeeOutputStream(ServletOutputStream out, AnswerCapture capture) {
      this.out = out;
      this.teed = capture.tee(out);
    }

    @Override
    public void write(int b) throws IOException {
      teed.write(b);
    }

    @Override
    public void write(byte[] b, int offset, int length) throws IOException {
      teed.write(b, offset, length);
    }

    @Override
    public void flush() throws IOException {
      out.flush();
    }

    @Override
    public void close() throws IOException {
      out.close();
    }

    @Override
    public boolean isReady() {
      return out.isReady();
    }

    @Override
    public void setWriteListener(WriteListener listener) {
      out.setWriteListener(listener);
    }
  }

  /** The application's characters go out unchanged; their bytes, in its charset, are kept. */
  private static final class TeeWriter extends Writer {
    private final PrintWriter out;
    private final AnswerCapture capture;
    private final Charset charset;

    TeeWriter(PrintWriter out, AnswerCapture capture, Charset charset) {
      this.out = out;
      this.capture = capture;
      this.charset = charset;
    }

    @Override
    public void write(char[] chars, int offset, int length) {
      out.write(chars, offset, length);
      byte[] bytes = new String(chars, offset, length).getBytes(charset);
      capture.write(bytes, 0, bytes.length);
    }

    @Override
    public void flush() {
      out.flush();
    }

    @Override
    public void close() {
      out.close();
    }
  }

  @Override
  public void flushBuffer() throws IOException {
    answering();
    super.flushBuffer();
  }

  @Override
  public void sendError(int status, String message) throws IOException {
    answering();
    super.sendError(status, message);
  }

  @Override
  public void sendError(int status) throws IOException {
    answering();
    super.sendError(status);
  }

  @Override
  public void sendRedirect(String location) throws IOException {
    answering();
    super.sendRedirect(location);
  }
}
