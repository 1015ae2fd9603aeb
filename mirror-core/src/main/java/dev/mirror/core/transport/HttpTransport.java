package dev.mirror.core.transport;

/**
 * The JDK {@code HttpClient} transport under its former name, kept for one release.
 *
 * @deprecated renamed {@link JdkHttpTransport}: the old name said HTTP, not which client; use
 *     {@link JdkHttpTransport#create()}. This alias goes in the next release.
 */
@Deprecated(since = "0.1.0", forRemoval = true)
public final class HttpTransport extends JdkHttpTransport {

  private HttpTransport(int threads) {
    super(threads);
  }

  /**
   * Returns a transport with {@value #DEFAULT_THREADS} threads.
   *
   * @deprecated use {@link JdkHttpTransport#create()}
   */
  @Deprecated(since = "0.1.0", forRemoval = true)
  public static HttpTransport create() {
    return new HttpTransport(DEFAULT_THREADS);
  }

  /**
   * Returns a transport whose clients complete exchanges on this many threads.
   *
   * @throws IllegalArgumentException if threads is not in [1, 64]
   * @deprecated use {@link JdkHttpTransport#create(int)}
   */
  @Deprecated(since = "0.1.0", forRemoval = true)
  public static HttpTransport create(int threads) {
    return new HttpTransport(checkThreads(threads));
  }
}
