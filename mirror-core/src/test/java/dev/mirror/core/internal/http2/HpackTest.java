package dev.mirror.core.internal.http2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ProtocolException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http.MetaData;
import org.eclipse.jetty.http2.hpack.HpackDecoder;
import org.eclipse.jetty.http2.hpack.HpackEncoder;
import org.junit.jupiter.api.Test;

/**
 * Our HPACK codec against Jetty's, an implementation we did not write: blocks Jetty encodes (with
 * Huffman coding, its dynamic table filling, evicting and resized) decode to the same fields, and
 * blocks we encode decode in Jetty to what we sent.
 */
class HpackTest {

  private static List<String> decode(dev.mirror.core.internal.http2.HpackDecoder decoder,
      ByteBuffer block) throws ProtocolException {
    List<String> fields = new ArrayList<>();
    decoder.decode(block, (name, value) -> fields.add(name + ": " + value));
    return fields;
  }

  @Test
  void decodesWhatJettyEncodesAcrossManyBlocksWithTheDynamicTableTurningOver() throws Exception {
    HpackEncoder jetty = new HpackEncoder();
    dev.mirror.core.internal.http2.HpackDecoder ours = new dev.mirror.core.internal.http2.HpackDecoder();
    for (int i = 0; i < 500; i++) {
      HttpFields.Mutable fields = HttpFields.build()
          .add("content-type", "application/grpc")
          .add("x-request-id", "req-" + i) // a new value each time: the table turns over
          .add("x-long", "v".repeat(i % 300))
          .add("set-cookie", "session=" + i + "; Path=/; HttpOnly")
          .add("grpc-message", "caf\u00e9 " + (i % 7)) // a Latin-1 octet, Huffman-coded
          .add("date", "Thu, 03 Dec 2026 12:00:" + (10 + i % 50) + " GMT");
      MetaData.Response response = new MetaData.Response(i % 3 == 0 ? 200 : 404, null,
          HttpVersion.HTTP_2, fields);
      ByteBuffer block = ByteBuffer.allocate(16 * 1024);
      jetty.encode(block, response);
      block.flip();
      List<String> expected = new ArrayList<>();
      expected.add(":status: " + (i % 3 == 0 ? 200 : 404));
      for (HttpField f : fields) {
        expected.add(f.getLowerCaseName() + ": " + f.getValue());
      }
      assertThat(decode(ours, block)).as("block %d", i).containsExactlyElementsOf(expected);
    }
    assertThat(ours.dynamicEntries()).isPositive();
  }

  @Test
  void followsTableSizeUpdatesAndEntriesLargerThanTheTable() throws Exception {
    HpackEncoder jetty = new HpackEncoder();
    dev.mirror.core.internal.http2.HpackDecoder ours = new dev.mirror.core.internal.http2.HpackDecoder();
    ByteBuffer block = ByteBuffer.allocate(16 * 1024);
    jetty.encodeMaxDynamicTableSize(block, 100);
    jetty.encode(block, new HttpField("x-a", "1"));
    jetty.encode(block, new HttpField("x-big", "b".repeat(200))); // larger than 100: not kept
    block.flip();
    assertThat(decode(ours, block)).containsExactly("x-a: 1", "x-big: " + "b".repeat(200));
  }

  @Test
  void jettyDecodesWhatWeEncode() throws Exception {
    ByteBuffer block = new HpackEncoder_().begin()
        .field(":method", "POST").field(":scheme", "http").field(":authority", "shadow:8080")
        .field(":path", "/pkg.Service/Call?x=1").field("content-type", "application/grpc")
        .field("authorization", "Bearer t").field("x-custom", "v".repeat(300))
        .field("te", "trailers").block();
    MetaData.Request request = (MetaData.Request) new HpackDecoder(64 * 1024, System::nanoTime)
        .decode(block);
    assertThat(request.getMethod()).isEqualTo("POST");
    assertThat(request.getHttpURI().getPathQuery()).isEqualTo("/pkg.Service/Call?x=1");
    assertThat(request.getHttpURI().getAuthority()).isEqualTo("shadow:8080");
    assertThat(request.getHttpFields().get("authorization")).isEqualTo("Bearer t");
    assertThat(request.getHttpFields().get("x-custom")).isEqualTo("v".repeat(300));
    assertThat(request.getHttpFields().get("content-type")).isEqualTo("application/grpc");
  }

  @Test
  void refusesWhatIsNotValidHpack() {
    // An index in neither table.
    assertThatThrownBy(() -> decode(new dev.mirror.core.internal.http2.HpackDecoder(),
        ByteBuffer.wrap(new byte[] {(byte) 0xff, 0x10})))
        .isInstanceOf(ProtocolException.class).hasMessageContaining("neither table");
    // A block that ends inside a string.
    assertThatThrownBy(() -> decode(new dev.mirror.core.internal.http2.HpackDecoder(),
        ByteBuffer.wrap(new byte[] {0x00, 0x05, 'a'})))
        .isInstanceOf(ProtocolException.class);
    // Huffman padding of more than 7 bits (0xff 0xff: no symbol, all ones).
    assertThatThrownBy(() -> decode(new dev.mirror.core.internal.http2.HpackDecoder(),
        ByteBuffer.wrap(new byte[] {0x00, 0x01, 'a', (byte) 0x82, (byte) 0xff, (byte) 0xff})))
        .isInstanceOf(ProtocolException.class).hasMessageContaining("padding");
    // A table size over the 4096 this side allows.
    assertThatThrownBy(() -> decode(new dev.mirror.core.internal.http2.HpackDecoder(),
        ByteBuffer.wrap(new byte[] {0x3f, (byte) 0xe1, 0x3f})))
        .isInstanceOf(ProtocolException.class).hasMessageContaining("table size");
  }

  /** Our encoder, under a name that does not clash with Jetty's. */
  private static final class HpackEncoder_ {
    private final dev.mirror.core.internal.http2.HpackEncoder encoder =
        new dev.mirror.core.internal.http2.HpackEncoder();

    dev.mirror.core.internal.http2.HpackEncoder begin() {
      return encoder.begin();
    }
  }
}
