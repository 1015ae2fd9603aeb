package dev.mirror.servlet;

import dev.mirror.api.RequestView;
import jakarta.servlet.http.HttpServletRequest;

/** What the engine may look at to decide, read straight from the container: nothing is copied. */
final class ServletRequestView implements RequestView {

  private final HttpServletRequest request;

  ServletRequestView(HttpServletRequest request) {
    this.request = request;
  }

  @Override
  public String method() {
    return request.getMethod();
  }

  @Override
  public String rawPath() {
    return request.getRequestURI();
  }

  @Override
  public String header(String name) {
    return request.getHeader(name);
  }
}
