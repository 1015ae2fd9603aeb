package dev.mirror.servlet;

import dev.mirror.api.Headers;
import dev.mirror.api.MirrorDispatcher;
import dev.mirror.api.MirroredRequest;
import dev.mirror.api.PathPattern;
import dev.mirror.core.entry.CaptureSession;
import dev.mirror.core.entry.EntryPoint;
import dev.mirror.core.MirrorConfig;
import dev.mirror.core.MirrorEngine;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletRegistration;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletMapping;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mirrors the requests it sees: the servlet entry point.
 *
 * <p>In {@code web.xml}, with init-params only (any {@code mirror.*} key of the README's table;
 * mark it {@code <async-supported>true</async-supported>} so async servlets behind it work):
 *
 * <pre>{@code
 * <filter>
 *   <filter-name>mirror</filter-name>
 *   <filter-class>dev.mirror.servlet.MirrorFilter</filter-class>
 *   <async-supported>true</async-supported>
 *   <init-param><param-name>mirror.host</param-name><param-value>http://127.0.0.1:9797</param-value></init-param>
 * </filter>
 * <filter-mapping><filter-name>mirror</filter-name><url-pattern>/*</url-pattern></filter-mapping>
 * }</pre>
 *
 * <p>In code, with {@link #MirrorFilter(MirrorDispatcher)} (the dispatcher stays the caller's to
 * close) or {@link #MirrorFilter(MirrorConfig)} (the filter builds an engine and closes it in
 * {@link #destroy()}).
 *
 * <p>A request that is not mirrored reaches the chain untouched, not even wrapped. A mirrored one
 * is wrapped so that its body is kept as the application reads it; after the chain (or when an
 * async exchange completes) what the application left unread is read up to the body limit, and
 * the copy is handed to the dispatcher. Nothing here delays or fails the request beyond that.
 * Path patterns match the request URI as received, context path included.
 *
 * <p>Calls to the runtime control endpoint are never mirrored, whatever the mappings: a request
 * the container hands to a {@link MirrorAdminServlet} of the same application goes on untouched
 * (its {@code Authorization: Bearer <admin token>} must not reach a shadow, a capture file or a
 * topic, where replaying it would replay the change). Code that serves the endpoint otherwise, or
 * other paths that must never be mirrored (Spring's Actuator), names them with {@link
 * #MirrorFilter(MirrorDispatcher, List)}.
 */
public final class MirrorFilter implements Filter {

  private static final Logger LOG = LoggerFactory.getLogger(MirrorFilter.class);

  /** Request attribute marking a request this filter has seen, so it runs once per request. */
  public static final String SEEN_ATTRIBUTE = MirrorFilter.class.getName() + ".SEEN";

  /**
   * Servlet-context attribute prefix under which a filter configured by init-params publishes its
   * engine: {@code dev.mirror.servlet.MirrorFilter.<filter-name>}.
   */
  public static final String ENGINE_ATTRIBUTE_PREFIX = MirrorFilter.class.getName() + ".";

  /**
   * The admin servlet's class, by name: {@code mirror-admin} is an optional dependency, so the
   * class itself may be absent and must not be loaded here.
   */
  static final String ADMIN_SERVLET_CLASS = "dev.mirror.servlet.MirrorAdminServlet";

  private MirrorDispatcher dispatcher;
  private EntryPoint entry;
  private MirrorConfig config;
  private boolean ownsDispatcher;
  /** Paths never mirrored whatever the policies say, fixed when the filter is made. */
  private final List<PathPattern> neverMirrored;
  /** The application's servlet context, to tell which servlet serves a request; null before init. */
  private volatile ServletContext context;
  /** Whether each servlet (by name) is a MirrorAdminServlet: as many entries as servlets. */
  private final Map<String, Boolean> adminServlets = new ConcurrentHashMap<>();

  /** For {@code web.xml}: the configuration comes from the init-params in {@link #init}. */
  public MirrorFilter() {
    this.neverMirrored = List.of();
  }

  /** Mirrors through this dispatcher, which the caller closes. */
  public MirrorFilter(MirrorDispatcher dispatcher) {
    this(dispatcher, List.of());
  }

  /**
   * Mirrors through this dispatcher, which the caller closes, and never the requests whose URI
   * (context path included, as {@code mirror.exclude-paths} sees it) matches one of these globs,
   * whatever the dispatcher would decide: the paths of a control endpoint or of management
   * operations (the Spring Boot starter passes the Actuator's). Unlike {@code
   * mirror.exclude-paths}, no runtime change can take them back.
   *
   * @param neverMirrored path globs such as {@code /actuator/**}
   * @throws IllegalArgumentException if a glob does not start with {@code /}
   */
  public MirrorFilter(MirrorDispatcher dispatcher, List<String> neverMirrored) {
    this.dispatcher = Objects.requireNonNull(dispatcher, "dispatcher");
    this.entry = new EntryPoint(dispatcher, "servlet filter");
    this.neverMirrored = Objects.requireNonNull(neverMirrored, "neverMirrored").stream()
        .map(PathPattern::of).toList();
  }

  /** Mirrors as configured; the filter builds its engine in {@link #init} and closes it. */
  public MirrorFilter(MirrorConfig config) {
    this.config = Objects.requireNonNull(config, "config");
    this.neverMirrored = List.of();
  }

  /**
   * Builds the engine from the init-params (or the given configuration).
   *
   * @throws ServletException if the configuration is invalid; the message names the key, so the
   *     deployment fails loudly rather than running without mirroring
   */
  @Override
  public void init(FilterConfig filterConfig) throws ServletException {
    context = filterConfig.getServletContext();
    if (dispatcher != null) {
      return;
    }
    try {
      if (config == null) {
        Map<String, String> params = new LinkedHashMap<>();
        Enumeration<String> names = filterConfig.getInitParameterNames();
        while (names.hasMoreElements()) {
          String name = names.nextElement();
          params.put(name, filterConfig.getInitParameter(name));
        }
        config = MirrorConfig.parse(params);
      }
    } catch (IllegalArgumentException e) {
      throw new ServletException("Invalid mirror configuration for filter "
          + filterConfig.getFilterName() + ": " + e.getMessage(), e);
    }
    checkAdminServlets(filterConfig);
    MirrorEngine engine = config.newEngine();
    dispatcher = engine;
    entry = new EntryPoint(engine, "servlet filter");
    ownsDispatcher = true;
    filterConfig.getServletContext().setAttribute(
        ENGINE_ATTRIBUTE_PREFIX + filterConfig.getFilterName(), engine);
    LOG.info("mirror filter {}: {} policies, targets {}", filterConfig.getFilterName(),
        config.policies().size(), config.policies().stream()
            .flatMap(p -> p.targets().stream()).map(t -> t.name() + "=" + t.address()).toList());
  }

  /**
   * Checks the {@code MirrorAdminServlet}s that control this filter's engine as they would check
   * themselves at their own start-up: a servlet without {@code <load-on-startup>} starts at its
   * first call, too late to fail the deployment for a missing module or token file.
   */
  private static void checkAdminServlets(FilterConfig filterConfig) throws ServletException {
    Map<String, ? extends jakarta.servlet.ServletRegistration> servlets;
    try {
      servlets = filterConfig.getServletContext().getServletRegistrations();
    } catch (UnsupportedOperationException e) {
      return; // a context that does not tell: each servlet checks itself when it starts
    }
    for (jakarta.servlet.ServletRegistration servlet : servlets.values()) {
      if (!MirrorAdminServlet.class.getName().equals(servlet.getClassName())) {
        continue;
      }
      Map<String, String> params = new LinkedHashMap<>(servlet.getInitParameters());
      if (params.getOrDefault("mirror.admin.filter", "mirror")
          .equals(filterConfig.getFilterName())) {
        MirrorAdminServlet.token(servlet.getName(), params);
      }
    }
  }

  /** Returns the dispatcher in use (a {@code MirrorEngine} unless one was passed in), or null before init. */
  public MirrorDispatcher dispatcher() {
    return dispatcher;
  }

  @Override
  public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
      throws IOException, ServletException {
    EntryPoint entry = this.entry;
    if (!(req instanceof HttpServletRequest) || entry == null
        || req.getAttribute(SEEN_ATTRIBUTE) != null) {
      chain.doFilter(req, res);
      return;
    }
    HttpServletRequest request = (HttpServletRequest) req;
    request.setAttribute(SEEN_ATTRIBUTE, Boolean.TRUE);
    if (neverMirrored(request)) {
      chain.doFilter(req, res);
      return;
    }
    CaptureSession session = open(entry, request);
    if (session == null) {
      chain.doFilter(req, res);
      return;
    }
    Exchange exchange = new Exchange(request, session);
    ServletResponse response = res instanceof HttpServletResponse
        ? new MirroringResponse((HttpServletResponse) res, exchange::answerStarting,
            session.answerCapture()) : res;
    exchange.response = response instanceof MirroringResponse answer ? answer : null;
    if (session.synchronous() && response != res) {
      exchange.request.holdAnswersThrough(response);
    }
    try {
      chain.doFilter(exchange.request, response);
    } finally {
      if (!exchange.request.asyncStarted()) {
        exchange.finish(true);
      }
    }
  }

  /**
   * True for a call to the admin endpoint (the servlet the container chose is a {@link
   * MirrorAdminServlet}) or a path named never to be mirrored. Decided before the dispatcher is
   * asked, so such a request is not even counted as one it was offered.
   */
  private boolean neverMirrored(HttpServletRequest request) {
    if (!neverMirrored.isEmpty()) {
      String uri = request.getRequestURI();
      for (PathPattern pattern : neverMirrored) {
        if (pattern.matches(uri)) {
          return true;
        }
      }
    }
    ServletContext servlets = context;
    if (servlets == null) {
      return false;
    }
    HttpServletMapping mapping;
    try {
      mapping = request.getHttpServletMapping();
    } catch (RuntimeException | AbstractMethodError notSupported) {
      return false;
    }
    String name = mapping == null ? null : mapping.getServletName();
    if (name == null) {
      return false;
    }
    Boolean admin = adminServlets.get(name);
    if (admin == null) {
      // Asked at the first request each servlet serves: a servlet registered after this filter
      // started (in code, or lazily) is known by then.
      admin = servesAdmin(servlets, name);
      adminServlets.put(name, admin);
    }
    return admin;
  }

  private static boolean servesAdmin(ServletContext servlets, String servletName) {
    try {
      ServletRegistration registration = servlets.getServletRegistration(servletName);
      return registration != null && ADMIN_SERVLET_CLASS.equals(registration.getClassName());
    } catch (RuntimeException notAllowed) {
      return false;
    }
  }

  /** Whether the container says its stream has ended (asked without blocking). */
  private static boolean ended(ServletInputStream in) {
    try {
      return in.isFinished();
    } catch (RuntimeException notAsked) {
      return false;
    }
  }

  /** Decides; null means the request goes on untouched. Never throws. */
  private static CaptureSession open(EntryPoint entry, HttpServletRequest request) {
    ServletRequestView view = ServletRequestView.of(request);
    try {
      long length = request.getContentLengthLong();
      // HTTP/1.x frames a body with Content-Length or Transfer-Encoding, or has none; HTTP/2
      // and later may stream one of no declared length: then it is read to its end, except for
      // GET and HEAD, taken as bodiless (as peers take them; a container need not tell before
      // the stream is read, and an async exchange may never read it).
      boolean http1 = request.getProtocol() == null || request.getProtocol().startsWith("HTTP/1");
      String method = request.getMethod();
      boolean bodilessMethod = "GET".equals(method) || "HEAD".equals(method);
      boolean mayHaveBody = length > 0 || (length < 0 && (http1
          ? request.getHeader("Transfer-Encoding") != null : !bodilessMethod));
      return entry.open(view, null, length, mayHaveBody);
    } catch (RuntimeException e) {
      entry.reportError("reading the request", e);
      return null;
    } finally {
      view.release();
    }
  }

  /** One mirrored request: its wrapper, and finishing its session once. */
  private final class Exchange {
    final HttpServletRequest original;
    final CaptureSession session;
    final MirroringRequest request;
    /** The answer's wrapper, to read the answer back for comparison; null for a plain one. */
    MirroringResponse response;

    Exchange(HttpServletRequest original, CaptureSession session) {
      this.original = original;
      this.session = session;
      this.request = new MirroringRequest(original, session, () -> finish(false));
    }

    /**
     * The application starts answering: an untouched body is read ahead (see MirroringRequest);
     * in synchronous mode a complete body's copy is submitted and waited for here, before the
     * first byte of the answer can leave.
     */
    void answerStarting() {
      request.answerStarting();
      if (session.synchronous()) {
        session.answerStarting(() -> metadata(original));
      }
    }

    /** Completes the body if it may (blocking reads are only allowed outside async), then ends. */
    void finish(boolean mayRead) {
      InputStream unread = null;
      if (session.bodyOpen() && request.mayReadUnread()) {
        try {
          InputStream remaining = request.remainingBody();
          // After an async exchange no blocking read is allowed, but a body the container knows
          // has ended (an HTTP/2 request with no body, one of no declared length) ends at once.
          if (mayRead || (remaining instanceof ServletInputStream in && ended(in))) {
            unread = remaining;
          }
        } catch (IOException | RuntimeException e) {
          unread = null; // counted as an incomplete body
        }
      }
      session.finish(unread, () -> metadata(original));
      if (response != null && session.answerCapture() != null) {
        try {
          session.answered(((HttpServletResponse) response.getResponse()).getStatus(),
              response.headers());
        } catch (RuntimeException e) {
          entry.reportError("reading the answer for comparison", e);
        }
      }
    }
  }

  private static MirroredRequest.Builder metadata(HttpServletRequest request) {
    Headers.Builder headers = Headers.builder();
    Enumeration<String> names = request.getHeaderNames();
    while (names != null && names.hasMoreElements()) {
      String name = names.nextElement();
      Enumeration<String> values = request.getHeaders(name);
      while (values.hasMoreElements()) {
        headers.add(name, values.nextElement());
      }
    }
    String host = request.getHeader("Host");
    if (host == null) {
      // HTTP/2 carries the authority as :authority, which containers do not show as a header.
      String name = request.getServerName();
      host = (name.indexOf(':') >= 0 ? "[" + name + "]" : name) + ":" + request.getServerPort();
    }
    return MirroredRequest.builder()
        .method(request.getMethod())
        .scheme(request.getScheme())
        .host(host)
        .rawPath(request.getRequestURI())
        .rawQuery(request.getQueryString())
        .headers(headers.build())
        .remoteAddress(request.getRemoteAddr())
        .trailers(trailers(request));
  }

  /** The request's trailer fields, once the body was read to its end; empty if none. */
  private static Headers trailers(HttpServletRequest request) {
    try {
      if (!request.isTrailerFieldsReady()) {
        return Headers.empty();
      }
      Map<String, String> fields = request.getTrailerFields();
      if (fields == null || fields.isEmpty()) {
        return Headers.empty();
      }
      Headers.Builder trailers = Headers.builder();
      fields.forEach(trailers::add);
      return trailers.build();
    } catch (RuntimeException notReadable) {
      return Headers.empty();
    }
  }

  /** Closes the engine this filter built, draining copies within its close timeout. */
  @Override
  public void destroy() {
    if (ownsDispatcher && dispatcher != null) {
      dispatcher.close();
    }
  }
}
