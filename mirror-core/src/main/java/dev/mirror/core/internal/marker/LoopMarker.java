package dev.mirror.core.internal.marker;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * What a copy's marker header proves. Every copy carries its request id in the marker header
 * ({@code X-Mirror-Request-Id}), and a request that carries one is taken for a copy coming back
 * and not mirrored again. Anyone can send that header, so with {@code mirror.marker-secret} (one
 * secret for the whole fleet) the id is followed by a proof, {@code <id>.<HMAC-SHA256 of the id,
 * 128 bits, base64url>}, and only a request whose marker proves itself is taken for a copy; one
 * that does not is mirrored like any other, and counted. Without a secret nothing can be proven:
 * every marker is honoured.
 */
public final class LoopMarker {

  private static final String ALGORITHM = "HmacSHA256";
  /** Bytes of the HMAC kept in the proof: 128 bits. */
  private static final int PROOF_BYTES = 16;
  /** The shortest secret accepted, in characters: {@value}. */
  public static final int MIN_SECRET_LENGTH = 16;

  /** Markers without proofs: every marker is honoured. */
  public static final LoopMarker UNSIGNED = new LoopMarker(null);

  private final SecretKeySpec key;
  private final ThreadLocal<Mac> macs;

  private LoopMarker(SecretKeySpec key) {
    this.key = key;
    this.macs = key == null ? null : ThreadLocal.withInitial(this::newMac);
  }

  /** Markers proven with this secret; {@link #UNSIGNED} for null. */
  public static LoopMarker of(String secret) {
    return secret == null ? UNSIGNED
        : new LoopMarker(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), ALGORITHM));
  }

  private Mac newMac() {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(key);
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(ALGORITHM + " is missing from this JVM", e);
    }
  }

  /** True if markers carry a proof. */
  public boolean proves() {
    return key != null;
  }

  /** The marker a copy with this id carries: the id and, with a secret, its proof. */
  public String mark(String id) {
    return key == null ? id : id + "." + Base64.getUrlEncoder().withoutPadding()
        .encodeToString(proof(id));
  }

  /**
   * True if a received marker was made by {@link #mark} with this secret (compared in constant
   * time); always true without a secret.
   */
  public boolean isProven(String marker) {
    if (key == null) {
      return true;
    }
    int dot = marker.lastIndexOf('.');
    if (dot <= 0) {
      return false;
    }
    // Compared as text, so that only the one encoding mark() writes is taken (base64 would
    // decode other spellings of the same bytes too).
    byte[] expected = mark(marker.substring(0, dot)).getBytes(StandardCharsets.UTF_8);
    return MessageDigest.isEqual(expected, marker.getBytes(StandardCharsets.UTF_8));
  }

  private byte[] proof(String id) {
    Mac mac = macs.get();
    return Arrays.copyOf(mac.doFinal(id.getBytes(StandardCharsets.UTF_8)), PROOF_BYTES);
  }
}
