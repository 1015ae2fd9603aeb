package dev.mirror.jaxrs;

import dev.mirror.api.RequestView;
import jakarta.ws.rs.container.ContainerRequestContext;
import java.util.Locale;

/**
 * What the engine may look at to decide, read from the JAX-RS request without copying. One per
 * thread, pointed at the request only while the decision is made, so that deciding allocates
 * nothing (as the servlet filter's view).
 *
 * <p>Header names are looked up in lower case: Jersey's header map hashes a name by lower-casing
 * it, which copies any name that is not lower case already, for every lookup. The few names the
 * policies ask for (the marker header, a sampler's or a filter's) are lower-cased once per thread
 * and remembered by identity; the map is case-insensitive, so the answer is the same.
 */
final class JaxrsRequestView implements RequestView {

  private static final ThreadLocal<JaxrsRequestView> PER_THREAD =
      ThreadLocal.withInitial(JaxrsRequestView::new);

  /** Names remembered per thread: more than the policies of an application ask for. */
  private static final int NAMES = 8;

  private ContainerRequestContext request;
  private final String[] asked = new String[NAMES];
  private final String[] lowerCase = new String[NAMES];
  private int next;

  private JaxrsRequestView() {}

  /** Returns this thread's view, pointed at the request; call {@link #release()} after deciding. */
  static JaxrsRequestView of(ContainerRequestContext request) {
    JaxrsRequestView view = PER_THREAD.get();
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
    return request.getUriInfo().getRequestUri().getRawPath();
  }

  @Override
  public String header(String name) {
    return request.getHeaders().getFirst(lowerCase(name));
  }

  @Override
  public String rawQuery() {
    return request.getUriInfo().getRequestUri().getRawQuery();
  }

  /**
   * The name in lower case as Jersey lower-cases it (the default locale, so that its hash of the
   * result is its hash of the name), copied once per thread and name.
   */
  private String lowerCase(String name) {
    for (int i = 0; i < NAMES; i++) {
      if (asked[i] == name) {
        return lowerCase[i];
      }
    }
    String lower = name.toLowerCase(Locale.getDefault());
    asked[next] = name;
    lowerCase[next] = lower;
    next = (next + 1) % NAMES;
    return lower;
  }
}
