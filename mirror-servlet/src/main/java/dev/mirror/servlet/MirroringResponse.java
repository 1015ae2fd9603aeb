package dev.mirror.servlet;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import java.io.PrintWriter;

/**
 * The answer of a mirrored request, unchanged, except that the filter is told once, before the
 * application starts answering: some containers stop serving the request body once the answer is
 * complete (Tomcat, after a sized answer's last byte or a closed stream), so a body the
 * application never read must be read before then.
 */
final class MirroringResponse extends HttpServletResponseWrapper {

  private final Runnable beforeAnswer;
  private boolean told;

  MirroringResponse(HttpServletResponse response, Runnable beforeAnswer) {
    super(response);
    this.beforeAnswer = beforeAnswer;
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
    return super.getOutputStream();
  }

  @Override
  public PrintWriter getWriter() throws IOException {
    answering();
    return super.getWriter();
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
