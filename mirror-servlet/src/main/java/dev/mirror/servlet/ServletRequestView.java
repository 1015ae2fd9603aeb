package dev.mirror.servlet;

import dev.mirror.api.RequestView;
import jakarta.servlet.http.HttpServletRequest;

/**
 * What the engine may look at to decide, read straight from the container: nothing is copied.
 * One per thread, pointed at the request only while the decision is made, so that deciding
 * allocates nothing.
 */
final class ServletRequestView implements RequestView {

  private static final ThreadLocal<ServletRequestView> PER_THREAD =
      ThreadLocal.withInitial(ServletRequestView::new);

  private HttpServletRequest request;

  private ServletRequestView() {}

  /** Returns this thread's view, pointed at the request; call {@link #release()} after deciding. */
  static ServletRequestView of(HttpServletRequest request) {
    ServletRequestView view = PER_THREAD.get();
    view.request = request;
    return view;
  }

  /** Drops the reference, so a finished request is not kept alive by the thread. */
  void release() {
    request = null;
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

  @Override
  public String rawQuery() {
    return request.getQueryString();
  }
}
