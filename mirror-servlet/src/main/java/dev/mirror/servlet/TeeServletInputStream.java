package dev.mirror.servlet;

import dev.mirror.core.entry.CaptureSession;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import java.io.IOException;

/**
 * The container's input stream, every method passed through, with what is read kept in a
 * {@link CaptureSession}. Works blocking and non-blocking ({@link ReadListener}).
 */
final class TeeServletInputStream extends ServletInputStream {

  private final ServletInputStream in;
  private final CaptureSession capture;

  TeeServletInputStream(ServletInputStream in, CaptureSession capture) {
    this.in = in;
    this.capture = capture;
  }

  ServletInputStream delegate() {
    return in;
  }

  @Override
  public int read() throws IOException {
    return capture.read(in);
  }

  @Override
  public int read(byte[] bytes, int offset, int length) throws IOException {
    return capture.read(in, bytes, offset, length);
  }

  @Override
  public int available() throws IOException {
    return in.available();
  }

  @Override
  public void close() throws IOException {
    in.close();
  }

  @Override
  public boolean isFinished() {
    boolean finished = in.isFinished();
    if (finished) {
      capture.bodyEnded();
    }
    return finished;
  }

  @Override
  public boolean isReady() {
    return in.isReady();
  }

  @Override
  public void setReadListener(ReadListener listener) {
    in.setReadListener(new ReadListener() {
      @Override
      public void onDataAvailable() throws IOException {
        listener.onDataAvailable();
      }

      @Override
      public void onAllDataRead() throws IOException {
        capture.bodyEnded();
        listener.onAllDataRead();
      }

      @Override
      public void onError(Throwable failure) {
        capture.bodyFailed();
        listener.onError(failure);
      }
    });
  }
}
