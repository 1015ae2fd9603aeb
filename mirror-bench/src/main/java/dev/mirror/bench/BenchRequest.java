package dev.mirror.bench;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;

/** A reusable request: what a container hands the filter, without a container's own cost. */
final class BenchRequest extends AbstractStubRequest {

  private final String method;
  private final String uri;
  private final String query;
  private final List<String> headerNames;
  private final String[] headerValues;
  private final byte[] body;
  private final BodyStream stream = new BodyStream();
  private Object seen;

  BenchRequest(String method, String uri, String query, byte[] body, String... namesAndValues) {
    this.method = method;
    this.uri = uri;
    this.query = query;
    this.body = body;
    String[] names = new String[namesAndValues.length / 2];
    this.headerValues = new String[names.length];
    for (int i = 0; i < names.length; i++) {
      names[i] = namesAndValues[2 * i];
      headerValues[i] = namesAndValues[2 * i + 1];
    }
    this.headerNames = List.of(names);
  }

  /** Makes the object new again for the next operation (containers recycle requests too). */
  void reset() {
    seen = null;
    stream.position = 0;
  }

  @Override
  public String getMethod() {
    return method;
  }

  @Override
  public String getRequestURI() {
    return uri;
  }

  @Override
  public String getQueryString() {
    return query;
  }

  @Override
  public String getScheme() {
    return "http";
  }

  @Override
  public String getRemoteAddr() {
    return "127.0.0.1";
  }

  @Override
  public long getContentLengthLong() {
    return body.length == 0 ? -1 : body.length;
  }

  @Override
  public int getContentLength() {
    return body.length == 0 ? -1 : body.length;
  }

  @Override
  public String getHeader(String name) {
    for (int i = 0; i < headerValues.length; i++) {
      if (headerNames.get(i).equalsIgnoreCase(name)) {
        return headerValues[i];
      }
    }
    return null;
  }

  @Override
  public Enumeration<String> getHeaderNames() {
    return Collections.enumeration(headerNames);
  }

  @Override
  public Enumeration<String> getHeaders(String name) {
    String value = getHeader(name);
    return value == null ? Collections.emptyEnumeration()
        : Collections.enumeration(List.of(value));
  }

  @Override
  public Object getAttribute(String name) {
    return seen;
  }

  @Override
  public void setAttribute(String name, Object value) {
    seen = value;
  }

  @Override
  public ServletInputStream getInputStream() {
    return stream;
  }

  private final class BodyStream extends ServletInputStream {
    int position;

    @Override
    public int read() {
      return position < body.length ? body[position++] & 0xff : -1;
    }

    @Override
    public int read(byte[] into, int offset, int length) {
      if (position >= body.length) {
        return -1;
      }
      int n = Math.min(length, body.length - position);
      System.arraycopy(body, position, into, offset, n);
      position += n;
      return n;
    }

    @Override
    public boolean isFinished() {
      return position >= body.length;
    }

    @Override
    public boolean isReady() {
      return true;
    }

    @Override
    public void setReadListener(ReadListener listener) {
      throw new UnsupportedOperationException("blocking only");
    }
  }
}
