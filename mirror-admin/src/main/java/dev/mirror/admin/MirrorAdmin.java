package dev.mirror.admin;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mirror.api.MirrorPolicy;
import dev.mirror.api.MirrorTarget;
import dev.mirror.core.MirrorConfig;
import dev.mirror.core.config.MirrorConfigException;
import dev.mirror.core.control.ControlUnavailableException;
import dev.mirror.core.MirrorEngine;
import dev.mirror.core.stats.MirrorStats;
import dev.mirror.core.RuntimeLimits;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runtime control endpoint, whatever serves it: the seed gateway's route mirror API over a
 * {@link MirrorEngine}, behind a bearer token. Containers adapt to it ({@code
 * MirrorAdminServlet}, {@code MirrorFeature} with {@code mirror.admin.path}); it takes an {@link
 * AdminCall} and answers an {@link AdminReply}.
 *
 * <p>Routes are the engine's policies ({@code default} for a single policy). Below the mount
 * point: {@code GET /routes}, {@code POST /routes/{route}/mirror} (the gateway's body, APISIX's
 * attributes or {@code mirror.*} keys), {@code DELETE /routes/{route}/mirror}, {@code POST
 * /routes/{route}/mirror/enable}, {@code GET /stats}, {@code GET /comparisons} (JSON) and {@code
 * GET /comparisons.html} (a page). Changes go through {@link
 * MirrorEngine#change(MirrorConfig)}: validated as at start-up, in memory only (a restart
 * returns to the configuration); with a control store ({@code mirror.control}), written to the
 * store and applied by every replica, the answer coming once this one applied it (with its
 * {@code configVersion}), 503 when the store did not take it. {@code GET /routes} gives the
 * {@code configVersion} this replica runs and, under {@code fleet}, what every replica reported.
 *
 * <p>Security: with no token every call is refused; a call without {@code Authorization: Bearer
 * <token>} is 401, a wrong token 403 (compared in constant time). For a browser, HTTP Basic with
 * the token as the password (any user name) opens the read-only views (GET); the page's 401
 * asks for it ({@code WWW-Authenticate: Basic}); a change with Basic credentials is 403. Neither the token nor the
 * values of headers set on copies appear in an answer or a log line; each accepted change is
 * logged once with the route, the names of the fields changed and the caller's address.
 */
public final class MirrorAdmin {

  private static final Logger LOG = LoggerFactory.getLogger(MirrorAdmin.class);

  /** Largest body accepted, in bytes: {@value}; a larger one is answered 413. */
  public static final int MAX_BODY_BYTES = 64 * 1024;

  /** The key naming the token. */
  public static final String TOKEN = "mirror.admin.token";
  /** The key naming a file holding the token (first line, trimmed). */
  public static final String TOKEN_FILE = "mirror.admin.token-file";
  /** JAX-RS: the path the endpoint is served at. */
  public static final String PATH = "mirror.admin.path";
  /** Servlet: the name of the filter whose engine the endpoint controls (default {@code mirror}). */
  public static final String FILTER = "mirror.admin.filter";

  /** Every admin key, as README documents them. */
  public static final Set<String> KEYS = Set.of(TOKEN, TOKEN_FILE, PATH, FILTER);

  private final Supplier<MirrorEngine> engine;
  private final byte[] tokenHash;
  private final ObjectMapper json = new ObjectMapper();
  private final AdminViews views = new AdminViews(json);

  /**
   * Serves the engine the supplier returns at each call (null while it is not running).
   *
   * @param token the bearer token, or null to refuse every call
   */
  public MirrorAdmin(Supplier<MirrorEngine> engine, String token) {
    this.engine = Objects.requireNonNull(engine, "engine");
    this.tokenHash = token == null || token.isEmpty() ? null : sha256(token);
    if (tokenHash == null) {
      LOG.warn("mirror admin endpoint: no {} or {} is configured, so it refuses every call",
          TOKEN, TOKEN_FILE);
    }
  }

  /**
   * Reads the token from {@code mirror.admin.token} or {@code mirror.admin.token-file}.
   *
   * @return the token, or null if neither key is set
   * @throws IllegalArgumentException naming the key if both are set, the token is blank or the
   *     file cannot be read
   */
  public static String token(Map<String, String> keys) {
    String token = keys.get(TOKEN);
    String file = keys.get(TOKEN_FILE);
    if (token != null && file != null) {
      throw new IllegalArgumentException(TOKEN_FILE + ": must not be set together with " + TOKEN
          + " (use one of them)");
    }
    if (file != null) {
      try {
        List<String> lines = Files.readAllLines(Path.of(file.trim()), StandardCharsets.UTF_8);
        token = lines.isEmpty() ? "" : lines.get(0);
      } catch (IOException e) {
        throw new IllegalArgumentException(TOKEN_FILE + ": was " + file + ", must be a readable"
            + " file (" + e.getClass().getSimpleName() + ")", e);
      }
    }
    if (token != null && token.trim().isEmpty()) {
      throw new IllegalArgumentException((file != null ? TOKEN_FILE : TOKEN)
          + ": holds an empty token, must hold a secret");
    }
    return token == null ? null : token.trim();
  }

  /** Answers one call; never throws. JSON is indented when the query asks ({@code ?pretty}). */
  public AdminReply handle(AdminCall call) {
    AdminReply reply = answer(call);
    return call.pretty() ? indented(reply) : reply;
  }

  private AdminReply indented(AdminReply reply) {
    if (!reply.contentType().equals(AdminReply.CONTENT_TYPE)) {
      return reply;
    }
    try {
      byte[] body = json.writerWithDefaultPrettyPrinter()
          .writeValueAsBytes(json.readTree(reply.body()));
      byte[] withNewline = java.util.Arrays.copyOf(body, body.length + 1);
      withNewline[body.length] = '\n';
      return new AdminReply(reply.status(), reply.headers(), withNewline, reply.contentType());
    } catch (IOException e) {
      return reply;
    }
  }

  private AdminReply answer(AdminCall call) {
    try {
      AdminReply refused = authorize(call);
      return refused != null ? refused : route(call);
    } catch (RuntimeException e) {
      LOG.warn("mirror admin endpoint: {} {} failed", call.method(), call.path(), e);
      return error(500, "internal error: " + e.getClass().getSimpleName(), null);
    }
  }

  private AdminReply authorize(AdminCall call) {
    if (tokenHash == null) {
      return error(403, "the admin endpoint refuses every call: no token is configured ("
          + TOKEN + " or " + TOKEN_FILE + ")", null);
    }
    String header = call.authorization();
    boolean read = call.method().equalsIgnoreCase("GET") || call.method().equalsIgnoreCase("HEAD");
    if (header != null && header.length() > 6 && header.regionMatches(true, 0, "Basic ", 0, 6)) {
      return basic(call, header.substring(6).trim(), read);
    }
    if (header == null || header.length() <= 7
        || !header.regionMatches(true, 0, "Bearer ", 0, 7) || header.substring(7).isBlank()) {
      return challenge(call, "missing bearer token: send Authorization: Bearer <token>");
    }
    if (!MessageDigest.isEqual(tokenHash, sha256(header.substring(7).trim()))) {
      return error(403, "the bearer token is not valid", null);
    }
    return null;
  }

  /**
   * HTTP Basic, for a browser: any user name, the token as the password, for reading only (GET
   * and HEAD). A browser sends Basic credentials it remembers on its own, even for a request
   * another site's page makes, so they never change anything: a change needs the Bearer header,
   * which a browser never adds by itself.
   */
  private AdminReply basic(AdminCall call, String encoded, boolean read) {
    String password;
    try {
      String decoded = new String(java.util.Base64.getDecoder().decode(encoded),
          StandardCharsets.UTF_8);
      int colon = decoded.indexOf(':');
      password = colon < 0 ? "" : decoded.substring(colon + 1);
    } catch (IllegalArgumentException e) {
      password = "";
    }
    if (password.isEmpty() || !MessageDigest.isEqual(tokenHash, sha256(password))) {
      return challenge(call, "Basic credentials need the token as the password (any user name)");
    }
    if (!read) {
      return error(403, "Basic credentials are for reading only (GET): a change needs"
          + " Authorization: Bearer <token>", null);
    }
    return null;
  }

  /**
   * 401 with the challenge the caller can answer: Basic for the page (so a browser asks for the
   * credentials), Bearer for the JSON views and changes.
   */
  private AdminReply challenge(AdminCall call, String message) {
    String path = call.path();
    String scheme = path.startsWith("/comparisons.html")
        ? "Basic realm=\"mirror\", charset=\"UTF-8\"" : "Bearer realm=\"mirror\"";
    return new AdminReply(401, Map.of("WWW-Authenticate", scheme), body(error(message, null)));
  }

  private AdminReply route(AdminCall call) {
    String path = call.path().length() > 1 && call.path().endsWith("/")
        ? call.path().substring(0, call.path().length() - 1) : call.path();
    String method = call.method().toUpperCase(Locale.ROOT);
    MirrorEngine current = engine.get();
    if (current == null) {
      return error(503, "the mirror engine is not running", null);
    }
    if (path.equals("/routes")) {
      return method.equals("GET") ? routes(current) : notAllowed("GET");
    }
    if (path.equals("/stats")) {
      return method.equals("GET") ? ok(views.stats(current.stats())) : notAllowed("GET");
    }
    if (path.equals("/comparisons")) {
      return method.equals("GET") ? ok(json.valueToTree(current.comparisons()))
          : notAllowed("GET");
    }
    if (path.equals("/comparisons.html")) {
      // Opened in a browser: never cached, never framed by another page.
      return method.equals("GET") ? new AdminReply(200, Map.of("Cache-Control", "no-store",
          "X-Frame-Options", "DENY", "X-Content-Type-Options", "nosniff"),
          ComparisonPage.render(current.comparisons()).getBytes(StandardCharsets.UTF_8),
          AdminReply.HTML) : notAllowed("GET");
    }
    String[] parts = path.split("/", -1);
    if (parts.length >= 4 && parts[1].equals("routes") && parts[3].equals("mirror")) {
      String route = parts[2];
      if (parts.length == 4) {
        return switch (method) {
          case "POST" -> change(current, route, call);
          case "DELETE" -> enable(current, route, false, call);
          default -> notAllowed("POST, DELETE");
        };
      }
      if (parts.length == 5 && parts[4].equals("enable")) {
        return method.equals("POST") ? enable(current, route, true, call) : notAllowed("POST");
      }
    }
    return error(404, "no such endpoint: " + method + " " + path + ", must be one of GET /routes,"
        + " POST|DELETE /routes/{route}/mirror, POST /routes/{route}/mirror/enable, GET /stats,"
        + " GET /comparisons, GET /comparisons.html",
        null);
  }

  private AdminReply routes(MirrorEngine current) {
    MirrorStats stats = current.stats();
    ObjectNode node = json.createObjectNode();
    for (MirrorPolicy policy : current.policies()) {
      node.withArray("routes").add(views.route(current, policy, stats.policy(policy.name())));
    }
    node.put("configVersion", current.configVersion());
    node.set("fleet", views.fleet(current.controlState()));
    return ok(node);
  }

  private AdminReply change(MirrorEngine current, String route, AdminCall call) {
    MirrorPolicy policy;
    try {
      policy = current.policy(route);
    } catch (NoSuchElementException e) {
      return unknownRoute(current, route);
    }
    String type = call.contentType() == null ? "" : call.contentType().toLowerCase(Locale.ROOT);
    String mediaType = type.split(";", 2)[0].trim();
    if (!mediaType.equals("application/json") && !mediaType.endsWith("+json")) {
      return error(415, "the body must be JSON (Content-Type: application/json), was '"
          + call.contentType() + "'", null);
    }
    if (call.body().length > MAX_BODY_BYTES) {
      return error(413, "the body must be at most " + MAX_BODY_BYTES + " bytes", null);
    }
    JsonNode body;
    try {
      body = json.readTree(call.body());
    } catch (JacksonException e) {
      return error(400, "the body is not valid JSON: " + e.getOriginalMessage(), null);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (body == null || !body.isObject()) {
      return error(400, "the body must be a JSON object", null);
    }
    MirrorConfig config = current.config().orElse(null);
    if (config == null) {
      return error(409, "this engine was built in code, not from a configuration: its routes"
          + " can be switched off and on here, not changed", null);
    }
    List<String> targets = policy.targets().stream().map(MirrorTarget::name).toList();
    RouteChange change;
    try {
      change = RouteChange.of(route, targets, config.toProperties(), (ObjectNode) body);
    } catch (RouteChange.FieldException e) {
      return refused(route, call, e.status, e.getMessage(), e.field);
    }
    RuntimeLimits limits = current.runtimeLimits().orElse(null);
    long version;
    try {
      // Within what start-up allowed: the TLS files named before anything is parsed (parsing
      // reads them), the rest on the parsed change, before the engine makes anything of it.
      if (limits != null) {
        limits.checkKeys(change.keys());
      }
      MirrorConfig next = MirrorConfig.parse(change.keys());
      if (limits != null) {
        limits.check(next);
      }
      if (change.conflict() != null) {
        return refused(route, call, change.conflict().status, change.conflict().getMessage(),
            change.conflict().field);
      }
      version = current.change(next);
    } catch (ControlUnavailableException e) {
      return unavailable(route, call, e);
    } catch (MirrorConfigException e) {
      // The start-up message, told with the name of the field that made the key.
      String field = change.fieldOf(e.key());
      String message = field == null ? e.getMessage()
          : field + e.getMessage().substring(e.key().length());
      return refused(route, call, 400, message, field == null ? e.key() : field);
    } catch (IllegalStateException e) {
      // With a control store: written, but this replica could not apply it (reported there).
      return refused(route, call, 409, e.getMessage(), null);
    }
    LOG.info("mirror admin: route {} changed ({}) by {}, configuration version {}", route,
        String.join(", ", change.fields()), call.caller(), version);
    return routeReply(current, route, version);
  }

  /**
   * A change the control store did not take (503: applied on no replica), or took but this
   * replica has not applied in time (202: every replica applies it as it reads it).
   */
  private AdminReply unavailable(String route, AdminCall call, ControlUnavailableException e) {
    LOG.warn("mirror admin: a change of route {} by {}: {}", route, call.caller(),
        e.getMessage());
    ObjectNode node = error(e.getMessage(), null);
    if (e.writtenVersion() < 0) {
      return new AdminReply(503, JSON_HEADERS, body(node));
    }
    node.put("configVersion", e.writtenVersion());
    return new AdminReply(202, JSON_HEADERS, body(node));
  }

  /**
   * A change refused (400, or 409 when the route's state does not allow it): answered naming the
   * field and the rule, and logged with the caller.
   */
  private AdminReply refused(String route, AdminCall call, int status, String message,
      String field) {
    LOG.warn("mirror admin: a change of route {} by {} was refused: {}", route, call.caller(),
        message);
    return error(status, message, field);
  }

  private AdminReply enable(MirrorEngine current, String route, boolean on, AdminCall call) {
    try {
      current.setEnabled(route, on);
    } catch (NoSuchElementException e) {
      return unknownRoute(current, route);
    } catch (ControlUnavailableException e) {
      return unavailable(route, call, e);
    } catch (IllegalStateException | IllegalArgumentException e) {
      return error(409, e.getMessage(), null);
    }
    LOG.info("mirror admin: route {} mirroring {} by {}", route, on ? "on" : "off",
        call.caller());
    return routeReply(current, route, current.configVersion());
  }

  /** A route after a change, with the configuration version the change made. */
  private AdminReply routeReply(MirrorEngine current, String route, long version) {
    ObjectNode node = views.route(current, current.policy(route), current.stats().policy(route));
    node.put("configVersion", version);
    return ok(node);
  }

  private AdminReply unknownRoute(MirrorEngine current, String route) {
    return error(404, "no route named " + route + ", must be one of "
        + current.policies().stream().map(MirrorPolicy::name).toList(), "route");
  }

  private AdminReply notAllowed(String allowed) {
    return new AdminReply(405, Map.of("Allow", allowed),
        body(error("method not allowed here, must be " + allowed, null)));
  }

  /**
   * Answers carry the engine's state, and may be read with credentials a browser keeps (Basic):
   * never stored by a cache, never sniffed as another type.
   */
  private static final Map<String, String> JSON_HEADERS =
      Map.of("Cache-Control", "no-store", "X-Content-Type-Options", "nosniff");

  private AdminReply ok(com.fasterxml.jackson.databind.JsonNode node) {
    return new AdminReply(200, JSON_HEADERS, body(node));
  }

  private AdminReply error(int status, String message, String field) {
    return new AdminReply(status, JSON_HEADERS, body(error(message, field)));
  }

  private ObjectNode error(String message, String field) {
    ObjectNode node = json.createObjectNode();
    node.put("error", message);
    if (field != null) {
      node.put("field", field);
    }
    return node;
  }

  private byte[] body(com.fasterxml.jackson.databind.JsonNode node) {
    try {
      return json.writeValueAsBytes(node);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
