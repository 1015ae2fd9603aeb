package dev.mirror.core;

import java.io.IOException;
import java.io.InputStream;

/** Passes every read through to the application and keeps a copy in a {@link BodyCapture}. */
final class TeeInputStream extends InputStream {

  private final InputStream in;
  private final BodyCapture capture;

  TeeInputStream(InputStream in, BodyCapture capture) {
    this.in = in;
    this.capture = capture;
  }

  @Override
  public int read() throws IOException {
    int b;
    try {
      b = in.read();
    } catch (IOException | RuntimeException e) {
      capture.fail();
      throw e;
    }
    if (b < 0) {
      capture.end();
    } else {
      capture.write(b);
    }
    return b;
  }

  @Override
  public int read(byte[] bytes, int offset, int length) throws IOException {
    int n;
    try {
      n = in.read(bytes, offset, length);
    } catch (IOException | RuntimeException e) {
      capture.fail();
      throw e;
    }
    if (n < 0) {
      capture.end();
    } else {
      capture.write(bytes, offset, n);
    }
    return n;
  }

  @Override
  public int available() throws IOException {
    return in.available();
  }

  @Override
  public void close() throws IOException {
    in.close();
  }

  // skip() reads through read(), so skipped bytes are kept too; mark/reset are not supported.
}
