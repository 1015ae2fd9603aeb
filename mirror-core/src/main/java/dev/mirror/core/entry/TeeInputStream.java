package dev.mirror.core.entry;

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

  // skip() reads through read(), so skipped bytes are kept too; mark/reset are not supported.
}
