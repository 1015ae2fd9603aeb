package dev.mirror.core.internal.tls;

import java.security.KeyManagementException;
import java.security.SecureRandom;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;

/**
 * An {@link SSLContext} made from {@code mirror.tls.*} keys: the protocols it enables travel with
 * it (in every engine it makes and in its default parameters, which the JDK client uses), and so
 * does whether host names are verified, for the default transport to read.
 */
public final class MirrorSslContext extends SSLContext {

  private final boolean verifyHostname;

  /**
   * @param beforeEngine runs before each new engine (each new connection): where changed files
   *     are noticed, since a resumed session would consult no key or trust manager
   */
  MirrorSslContext(SSLContext base, String[] protocols, boolean verifyHostname,
      Runnable beforeEngine) {
    super(new Spi(base, protocols, beforeEngine), base.getProvider(), base.getProtocol());
    this.verifyHostname = verifyHostname;
  }

  /** False only when {@code mirror.tls.verify-hostname=false}. */
  boolean verifyHostname() {
    return verifyHostname;
  }

  /** Whether a context verifies host names: every context does, unless ours says otherwise. */
  static boolean verifiesHostname(SSLContext context) {
    return !(context instanceof MirrorSslContext mine) || mine.verifyHostname;
  }

  private static final class Spi extends SSLContextSpi {
    private final SSLContext base;
    private final String[] protocols;
    private final Runnable beforeEngine;

    Spi(SSLContext base, String[] protocols, Runnable beforeEngine) {
      this.base = base;
      this.protocols = protocols.clone();
      this.beforeEngine = beforeEngine;
    }

    @Override
    protected void engineInit(KeyManager[] keys, TrustManager[] trust, SecureRandom random)
        throws KeyManagementException {
      throw new KeyManagementException("already initialised from the mirror.tls.* keys");
    }

    @Override
    protected SSLSocketFactory engineGetSocketFactory() {
      return base.getSocketFactory();
    }

    @Override
    protected SSLServerSocketFactory engineGetServerSocketFactory() {
      return base.getServerSocketFactory();
    }

    @Override
    protected SSLEngine engineCreateSSLEngine() {
      beforeEngine.run();
      SSLEngine engine = base.createSSLEngine();
      engine.setEnabledProtocols(protocols);
      return engine;
    }

    @Override
    protected SSLEngine engineCreateSSLEngine(String host, int port) {
      beforeEngine.run();
      SSLEngine engine = base.createSSLEngine(host, port);
      engine.setEnabledProtocols(protocols);
      return engine;
    }

    @Override
    protected SSLSessionContext engineGetServerSessionContext() {
      return base.getServerSessionContext();
    }

    @Override
    protected SSLSessionContext engineGetClientSessionContext() {
      return base.getClientSessionContext();
    }

    @Override
    protected SSLParameters engineGetDefaultSSLParameters() {
      SSLParameters parameters = base.getDefaultSSLParameters();
      parameters.setProtocols(protocols);
      return parameters;
    }

    @Override
    protected SSLParameters engineGetSupportedSSLParameters() {
      return base.getSupportedSSLParameters();
    }
  }
}
