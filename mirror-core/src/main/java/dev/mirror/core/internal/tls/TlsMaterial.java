package dev.mirror.core.internal.tls;

import dev.mirror.core.config.ConfigCatalog;
import dev.mirror.core.config.MirrorConfigException;
import dev.mirror.core.internal.NamedDaemonThreads;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.UnrecoverableKeyException;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TLS to a shadow from {@code mirror.tls.*} keys: whom to trust (a trust store and/or PEM CA
 * certificates), which client certificate to present (a key store or PEM chain and PKCS#8 key),
 * protocols and host-name verification. Files are watched: when one changes, new connections use
 * the new material (copies in flight keep theirs); a file that no longer parses keeps the last
 * good material and is reported once. No password, key or certificate body is ever put in a
 * message.
 */
public final class TlsMaterial {

  private static final Logger LOG = LoggerFactory.getLogger(TlsMaterial.class);

  /** How often, at most, the files are looked at (on handshakes only). */
  private static final long CHECK_INTERVAL_NANOS = Duration.ofSeconds(1).toNanos();
  /** Where changed files are looked at and reloaded: never a sender's event loop. */
  private static final java.util.concurrent.Executor RELOADER =
      new java.util.concurrent.ThreadPoolExecutor(0, 1, 1, java.util.concurrent.TimeUnit.SECONDS,
          new java.util.concurrent.LinkedBlockingQueue<>(), new NamedDaemonThreads("mirror-tls"));
  private static final Duration EXPIRY_WARNING = Duration.ofDays(14);

  /** One context per distinct settings, so that equal configurations hold equal targets. */
  private static final Map<Settings, SSLContext> CONTEXTS = new ConcurrentHashMap<>();

  private TlsMaterial() {}

  /**
   * The {@code tls.*} keys of one target: values by suffix ({@code tls.ca-file}), and the full
   * key each came from, for messages. Equal when the values are.
   */
  public static final class Settings {
    final Map<String, String> values;
    final Map<String, String> names;

    public Settings(Map<String, String> values, Map<String, String> names) {
      this.values = Map.copyOf(values);
      this.names = Map.copyOf(names);
    }

    String value(String suffix) {
      return values.get(suffix);
    }

    /** The key a suffix was given as, for messages. */
    public String name(String suffix) {
      return names.getOrDefault(suffix, ConfigCatalog.PREFIX + suffix);
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Settings that && values.equals(that.values);
    }

    @Override
    public int hashCode() {
      return values.hashCode();
    }

    @Override
    public String toString() {
      Map<String, String> shown = new TreeMap<>(values);
      shown.replaceAll((k, v) -> ConfigCatalog.isSecret(k) ? ConfigCatalog.SECRET_SHOWN : v);
      return shown.toString();
    }
  }

  /**
   * Returns the context for these settings, made once and shared.
   *
   * @throws MirrorConfigException naming the key at fault
   */
  public static SSLContext context(Settings settings) {
    SSLContext made = CONTEXTS.get(settings);
    if (made == null) {
      made = build(settings);
      SSLContext raced = CONTEXTS.putIfAbsent(settings, made);
      made = raced != null ? raced : made;
    }
    return made;
  }

  private static SSLContext build(Settings s) {
    String[] protocols = ConfigCatalog.list(s.value("tls.protocols")).toArray(new String[0]);
    try {
      List<String> supported = List.of(SSLContext.getDefault().getSupportedSSLParameters()
          .getProtocols());
      for (String protocol : protocols) {
        if (!supported.contains(protocol)) {
          throw new MirrorConfigException(s.name("tls.protocols"), s.value("tls.protocols"),
              "protocols this JVM supports: " + String.join(",", supported));
        }
      }
      boolean hasStore = s.value("tls.key-store") != null;
      boolean hasPem = s.value("tls.cert-file") != null || s.value("tls.key-file") != null;
      if (hasStore && hasPem) {
        throw new MirrorConfigException(s.name("tls.cert-file"), "must not be set together with "
            + s.name("tls.key-store") + " (one client certificate: a store or PEM files)");
      }
      if (hasPem && (s.value("tls.cert-file") == null || s.value("tls.key-file") == null)) {
        String missing = s.value("tls.cert-file") == null ? "tls.cert-file" : "tls.key-file";
        throw new MirrorConfigException(s.name(missing), "is missing, must be set with "
            + s.name(missing.equals("tls.cert-file") ? "tls.key-file" : "tls.cert-file"));
      }
      SSLContext base = SSLContext.getInstance("TLS");
      ReloadingTrust trust = s.value("tls.trust-store") == null && s.value("tls.ca-file") == null
          ? null : new ReloadingTrust(s);
      ReloadingKeys keys = hasStore || hasPem ? new ReloadingKeys(s) : null;
      base.init(keys == null ? null : new KeyManager[] {keys},
          trust == null ? null : new TrustManager[] {trust}, null);
      SSLSessionContext sessions = base.getClientSessionContext();
      if (trust != null) {
        trust.sessions = sessions;
      }
      if (keys != null) {
        keys.sessions = sessions;
      }
      Runnable lookAtFiles = () -> {
        if (trust != null) {
          trust.current();
        }
        if (keys != null) {
          keys.current();
        }
      };
      return new MirrorSslContext(base, protocols,
          ConfigCatalog.bool(s.value("tls.verify-hostname")), lookAtFiles);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("TLS is not available in this JVM: " + e, e);
    }
  }

  // ---- loading, with errors naming the key and never the secret

  /**
   * The largest TLS file read, in bytes: {@value}. Stores and PEM files are a few KiB; the bound
   * keeps a path such as {@code /dev/zero} from filling the heap.
   */
  static final int MAX_FILE_BYTES = 1024 * 1024;

  private static byte[] read(Settings s, String suffix) {
    String file = s.value(suffix);
    try {
      Path path = Path.of(file);
      // Only regular files: opening a FIFO would block, a device never ends.
      if (Files.exists(path) && !Files.isRegularFile(path)) {
        throw new MirrorConfigException(s.name(suffix), file, "a regular file (not a device,"
            + " a pipe or a directory)");
      }
      byte[] bytes;
      try (java.io.InputStream in = Files.newInputStream(path)) {
        bytes = in.readNBytes(MAX_FILE_BYTES + 1);
      }
      if (bytes.length > MAX_FILE_BYTES) {
        throw new MirrorConfigException(s.name(suffix), file, "a file of at most "
            + MAX_FILE_BYTES + " bytes");
      }
      return bytes;
    } catch (NoSuchFileException e) {
      throw new MirrorConfigException(s.name(suffix), file, "an existing, readable file");
    } catch (IOException | RuntimeException e) {
      throw new MirrorConfigException(s.name(suffix), file, "a readable file ("
          + e.getClass().getSimpleName() + ")");
    }
  }

  /** A password from {@code <store>-password} or {@code <store>-password-file}; empty if none. */
  private static char[] password(Settings s, String store) {
    String inline = s.value(store + "-password");
    String file = s.value(store + "-password-file");
    if (inline != null && file != null) {
      throw new MirrorConfigException(s.name(store + "-password-file"),
          "must not be set together with " + s.name(store + "-password") + " (use one of them)");
    }
    if (file != null) {
      String text = new String(read(s, store + "-password-file"), StandardCharsets.UTF_8);
      int end = text.indexOf('\n');
      return (end < 0 ? text : text.substring(0, end)).strip().toCharArray();
    }
    return inline == null ? new char[0] : inline.toCharArray();
  }

  /**
   * A store its password does not open, told by the key the user set: the password's (or its
   * file's) when one is set, else the store's own, naming the keys that would give one.
   */
  private static MirrorConfigException wrongPassword(Settings s, String store, String what) {
    for (String suffix : List.of(store + "-password-file", store + "-password")) {
      if (s.value(suffix) != null) {
        return new MirrorConfigException(s.name(suffix), "does not open " + what
            + s.name(store) + ", must be its password");
      }
    }
    String given = s.name(store);
    String prefix = given.substring(0, given.length() - store.length());
    return new MirrorConfigException(given, s.value(store), "a store its password opens: set "
        + prefix + store + "-password or " + prefix + store + "-password-file (neither is set)");
  }

  /** Opens a store with its password (read once by the caller, who may need it again). */
  private static KeyStore store(Settings s, String store, char[] password) {
    byte[] bytes = read(s, store);
    String type = s.value(store + "-type");
    try {
      KeyStore keyStore = KeyStore.getInstance(type);
      keyStore.load(new ByteArrayInputStream(bytes), password);
      return keyStore;
    } catch (IOException e) {
      if (e.getCause() instanceof UnrecoverableKeyException
          || String.valueOf(e.getMessage()).toLowerCase().contains("password")) {
        throw wrongPassword(s, store, "");
      }
      throw new MirrorConfigException(s.name(store), s.value(store), "a " + type
          + " key store (" + e.getClass().getSimpleName() + ")");
    } catch (GeneralSecurityException e) {
      throw new MirrorConfigException(s.name(store + "-type"), type, "PKCS12 or JKS");
    }
  }

  private static List<X509Certificate> certificates(Settings s, String suffix) {
    Collection<? extends Certificate> found;
    try {
      found = CertificateFactory.getInstance("X.509")
          .generateCertificates(new ByteArrayInputStream(read(s, suffix)));
    } catch (CertificateException e) {
      found = List.of();
    }
    if (found.isEmpty()) {
      throw new MirrorConfigException(s.name(suffix), s.value(suffix),
          "a PEM file of one or more certificates (BEGIN CERTIFICATE)");
    }
    List<X509Certificate> out = new ArrayList<>();
    for (Certificate certificate : found) {
      out.add((X509Certificate) certificate);
    }
    return out;
  }

  private static PrivateKey pkcs8(Settings s) {
    String text = new String(read(s, "tls.key-file"), StandardCharsets.US_ASCII);
    int begin = text.indexOf("-----BEGIN PRIVATE KEY-----");
    int end = text.indexOf("-----END PRIVATE KEY-----");
    String rule = "a PKCS#8 private key in PEM (BEGIN PRIVATE KEY)";
    if (begin < 0 || end < begin) {
      throw new MirrorConfigException(s.name("tls.key-file"), s.value("tls.key-file"), rule);
    }
    byte[] der;
    try {
      der = Base64.getMimeDecoder().decode(
          text.substring(begin + "-----BEGIN PRIVATE KEY-----".length(), end));
    } catch (IllegalArgumentException e) {
      throw new MirrorConfigException(s.name("tls.key-file"), s.value("tls.key-file"), rule);
    }
    for (String algorithm : new String[] {"RSA", "EC", "Ed25519", "Ed448", "DSA"}) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (GeneralSecurityException | RuntimeException notThisOne) {
        // try the next algorithm
      }
    }
    throw new MirrorConfigException(s.name("tls.key-file"), s.value("tls.key-file"), rule);
  }

  private static X509ExtendedTrustManager loadTrust(Settings s) {
    try {
      KeyStore trusted;
      if (s.value("tls.trust-store") != null) {
        trusted = store(s, "tls.trust-store", password(s, "tls.trust-store"));
      } else {
        trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
      }
      if (s.value("tls.ca-file") != null) {
        int i = 0;
        for (X509Certificate ca : certificates(s, "tls.ca-file")) {
          trusted.setCertificateEntry("mirror-ca-" + i++, ca);
        }
      }
      if (trusted.size() == 0) {
        throw new MirrorConfigException(s.name("tls.trust-store"), s.value("tls.trust-store"),
            "a store holding at least one trusted certificate");
      }
      TrustManagerFactory factory = TrustManagerFactory.getInstance(
          TrustManagerFactory.getDefaultAlgorithm());
      factory.init(trusted);
      for (TrustManager manager : factory.getTrustManagers()) {
        if (manager instanceof X509ExtendedTrustManager x509) {
          return x509;
        }
      }
      throw new IllegalStateException("no X.509 trust manager in this JVM");
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("TLS trust could not be set up: "
          + e.getClass().getSimpleName(), e);
    }
  }

  private static X509ExtendedKeyManager loadKeys(Settings s) {
    try {
      KeyStore keys;
      char[] password;
      String source;
      if (s.value("tls.key-store") != null) {
        password = password(s, "tls.key-store");
        keys = store(s, "tls.key-store", password);
        source = "tls.key-store";
        List<String> aliases = new ArrayList<>();
        for (Enumeration<String> e = keys.aliases(); e.hasMoreElements(); ) {
          String alias = e.nextElement();
          if (keys.isKeyEntry(alias)) {
            aliases.add(alias);
          }
        }
        if (aliases.isEmpty()) {
          throw new MirrorConfigException(s.name("tls.key-store"), s.value("tls.key-store"),
              "a store holding a private key and its certificate (it holds none)");
        }
        String alias = s.value("tls.key-alias");
        if (alias != null && !aliases.contains(alias)) {
          throw new MirrorConfigException(s.name("tls.key-alias"), alias,
              "the alias of a private key in " + s.name("tls.key-store") + ": one of " + aliases);
        }
      } else {
        List<X509Certificate> chain = certificates(s, "tls.cert-file");
        PrivateKey key = pkcs8(s);
        keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        password = new char[0];
        source = "tls.cert-file";
        try {
          keys.setKeyEntry("mirror-client", key, password, chain.toArray(new Certificate[0]));
        } catch (GeneralSecurityException e) {
          throw new MirrorConfigException(s.name("tls.key-file"), s.value("tls.key-file"),
              "the private key of the certificate in " + s.name("tls.cert-file"));
        }
      }
      checkExpiry(s, source, keys);
      KeyManagerFactory factory = KeyManagerFactory.getInstance(
          KeyManagerFactory.getDefaultAlgorithm());
      try {
        factory.init(keys, password);
      } catch (UnrecoverableKeyException e) {
        throw wrongPassword(s, "tls.key-store", "the private key in ");
      }
      for (KeyManager manager : factory.getKeyManagers()) {
        if (manager instanceof X509ExtendedKeyManager x509) {
          return x509;
        }
      }
      throw new IllegalStateException("no X.509 key manager in this JVM");
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("the TLS client certificate could not be set up: "
          + e.getClass().getSimpleName(), e);
    }
  }

  private static void checkExpiry(Settings s, String source, KeyStore keys)
      throws GeneralSecurityException {
    String alias = s.value("tls.key-alias");
    for (Enumeration<String> e = keys.aliases(); e.hasMoreElements(); ) {
      String name = e.nextElement();
      if (!keys.isKeyEntry(name) || (alias != null && !alias.equals(name))) {
        continue;
      }
      if (keys.getCertificate(name) instanceof X509Certificate certificate) {
        Instant notAfter = certificate.getNotAfter().toInstant();
        if (notAfter.isBefore(Instant.now())) {
          throw new MirrorConfigException(s.name(source), s.value(source),
              "a client certificate that has not expired (it expired " + notAfter + ")");
        }
        if (notAfter.isBefore(Instant.now().plus(EXPIRY_WARNING))) {
          LOG.warn("mirror TLS: the client certificate of {} expires {}", s.name(source),
              notAfter);
        }
      }
    }
  }

  /** The files named by the settings, to watch for changes. */
  private static List<Path> files(Settings s, String... suffixes) {
    List<Path> files = new ArrayList<>();
    for (String suffix : suffixes) {
      if (s.value(suffix) != null) {
        files.add(Path.of(s.value(suffix)));
      }
    }
    return files;
  }

  /** Reloads when a watched file changes; keeps the last good value if the new one fails. */
  private static final class Watched<T> {
    private final Settings settings;
    private final List<Path> files;
    private final Supplier<T> loader;
    private volatile T current;
    private volatile List<Long> stamps;
    private volatile long nextCheck;
    private volatile List<Long> reportedBad;
    private final java.util.concurrent.atomic.AtomicBoolean checking =
        new java.util.concurrent.atomic.AtomicBoolean();
    private final java.util.concurrent.atomic.AtomicBoolean reloaded =
        new java.util.concurrent.atomic.AtomicBoolean();

    Watched(Settings settings, List<Path> files, Supplier<T> loader) {
      this.settings = settings;
      this.files = files;
      this.loader = loader;
      this.stamps = stamps();
      this.current = loader.get();
      this.nextCheck = System.nanoTime() + CHECK_INTERVAL_NANOS;
    }

    private List<Long> stamps() {
      List<Long> out = new ArrayList<>();
      for (Path file : files) {
        try {
          out.add(Files.getLastModifiedTime(file).toMillis() ^ Files.size(file) << 40);
        } catch (IOException e) {
          out.add(-1L);
        }
      }
      return out;
    }

    /**
     * Returns the current value. At most once a second it also has the files looked at, on a
     * thread of its own (never the caller's: that is an event loop that must not block on a file
     * system), and the material reloaded if they changed; true in changed[0] when the value
     * returned is new since the last call that said so.
     */
    T get(boolean[] changed) {
      long now = System.nanoTime();
      if (now - nextCheck >= 0 && !checking.get() && checking.compareAndSet(false, true)) {
        nextCheck = now + CHECK_INTERVAL_NANOS;
        try {
          RELOADER.execute(this::check);
        } catch (RuntimeException e) {
          checking.set(false);
        }
      }
      if (reloaded.get() && reloaded.compareAndSet(true, false)) {
        changed[0] = true;
      }
      return current;
    }

    private void check() {
      try {
        List<Long> seen = stamps();
        if (seen.equals(stamps) || seen.equals(reportedBad)) {
          return;
        }
        try {
          current = loader.get();
          stamps = seen;
          reloaded.set(true);
          LOG.info("mirror TLS: reloaded {} for new connections", settings.names.values());
        } catch (RuntimeException e) {
          reportedBad = seen;
          LOG.warn("mirror TLS: {} changed but cannot be used ({}); keeping the last good"
              + " material", settings.names.values(), e.getMessage());
        }
      } finally {
        checking.set(false);
      }
    }
  }

  /** Drops cached sessions, so the next connection hands over the new material in full. */
  private static void forget(SSLSessionContext sessions) {
    if (sessions == null) {
      return;
    }
    for (Enumeration<byte[]> ids = sessions.getIds(); ids.hasMoreElements(); ) {
      var session = sessions.getSession(ids.nextElement());
      if (session != null) {
        session.invalidate();
      }
    }
  }

  private static final class ReloadingTrust extends X509ExtendedTrustManager {
    private final Watched<X509ExtendedTrustManager> watched;
    volatile SSLSessionContext sessions;

    ReloadingTrust(Settings s) {
      this.watched = new Watched<>(s, files(s, "tls.trust-store", "tls.ca-file",
          "tls.trust-store-password-file"), () -> loadTrust(s));
    }

    private X509ExtendedTrustManager current() {
      boolean[] changed = new boolean[1];
      X509ExtendedTrustManager manager = watched.get(changed);
      if (changed[0]) {
        forget(sessions);
      }
      return manager;
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String auth, SSLEngine engine)
        throws CertificateException {
      current().checkServerTrusted(chain, auth, engine);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String auth, Socket socket)
        throws CertificateException {
      current().checkServerTrusted(chain, auth, socket);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String auth)
        throws CertificateException {
      current().checkServerTrusted(chain, auth);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String auth, SSLEngine engine)
        throws CertificateException {
      current().checkClientTrusted(chain, auth, engine);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String auth, Socket socket)
        throws CertificateException {
      current().checkClientTrusted(chain, auth, socket);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String auth)
        throws CertificateException {
      current().checkClientTrusted(chain, auth);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return current().getAcceptedIssuers();
    }
  }

  private static final class ReloadingKeys extends X509ExtendedKeyManager {
    private final Watched<X509ExtendedKeyManager> watched;
    private final String alias;
    volatile SSLSessionContext sessions;

    ReloadingKeys(Settings s) {
      this.watched = new Watched<>(s, files(s, "tls.key-store", "tls.cert-file", "tls.key-file",
          "tls.key-store-password-file"), () -> loadKeys(s));
      this.alias = s.value("tls.key-alias");
    }

    private X509ExtendedKeyManager current() {
      boolean[] changed = new boolean[1];
      X509ExtendedKeyManager manager = watched.get(changed);
      if (changed[0]) {
        forget(sessions);
      }
      return manager;
    }

    private String chosen(String found) {
      return alias == null ? found : alias;
    }

    @Override
    public String chooseEngineClientAlias(String[] types, Principal[] issuers, SSLEngine engine) {
      return chosen(current().chooseEngineClientAlias(types, issuers, engine));
    }

    @Override
    public String chooseClientAlias(String[] types, Principal[] issuers, Socket socket) {
      return chosen(current().chooseClientAlias(types, issuers, socket));
    }

    @Override
    public String[] getClientAliases(String type, Principal[] issuers) {
      return current().getClientAliases(type, issuers);
    }

    @Override
    public String[] getServerAliases(String type, Principal[] issuers) {
      return current().getServerAliases(type, issuers);
    }

    @Override
    public String chooseServerAlias(String type, Principal[] issuers, Socket socket) {
      return current().chooseServerAlias(type, issuers, socket);
    }

    @Override
    public X509Certificate[] getCertificateChain(String name) {
      return current().getCertificateChain(name);
    }

    @Override
    public PrivateKey getPrivateKey(String name) {
      return current().getPrivateKey(name);
    }
  }
}
