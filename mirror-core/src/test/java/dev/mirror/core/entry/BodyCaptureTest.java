package dev.mirror.core.entry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mirror.api.DropReason;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** A body captured as the application reads it (was CoreUnitsTest.BodyCaptureTest). */
class BodyCaptureTest {
  private static byte[] bytes(int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) i;
    }
    return b;
  }

  private static byte[] toArray(ByteBuffer buffer) {
    byte[] out = new byte[buffer.remaining()];
    buffer.duplicate().get(out);
    return out;
  }

  @Test
  void keepsWhatIsRead_andCompletesAtTheEnd() throws IOException {
    BodyCapture capture = new BodyCapture(100, 10);
    InputStream in = capture.tee(new ByteArrayInputStream(bytes(10)));
    assertThat(in.readAllBytes()).isEqualTo(bytes(10));
    assertThat(capture.complete()).isTrue();
    assertThat(toArray(capture.body())).isEqualTo(bytes(10));
  }

  /**
   * Issue 28: the buffer was allocated at the declared Content-Length before a byte arrived,
   * so 2,048 clients declaring 64 MiB held 128 GiB. Counted twice: the buffer's own size, and
   * the bytes this thread allocated (HotSpot's per-thread allocation counter).
   */
  @Test
  void aDeclared64MiB_withTenBytes_allocatesNoMoreThanArrived() throws IOException {
    int mib64 = 64 * 1024 * 1024;
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)
        java.lang.management.ManagementFactory.getThreadMXBean();
    long thread = Thread.currentThread().getId();
    byte[] ten = bytes(10);
    InputStream client = new ByteArrayInputStream(ten);
    byte[] into = new byte[10];
    long before = threads.getThreadAllocatedBytes(thread);
    BodyCapture capture = new BodyCapture(mib64, mib64);
    int read = capture.read(client, into, 0, into.length);
    long allocated = threads.getThreadAllocatedBytes(thread) - before;
    assertThat(read).isEqualTo(10);
    assertThat(capture.capacity()).isEqualTo(10);
    assertThat(allocated).as("bytes allocated by the capture").isLessThan(4096);
    assertThat(toArray(capture.view())).isEqualTo(ten);
    capture.end();
    assertThat(capture.dropReason()).as("10 of 64 MiB").isEqualTo(DropReason.INCOMPLETE_BODY);
  }

  @Test
  void theBuffer_growsAsBytesArrive_atMostTwiceWhatArrived_andExactAtTheDeclaredLength()
      throws IOException {
    BodyCapture undeclared = new BodyCapture(1 << 20, -1);
    for (int i = 0; i < 1000; i++) {
      undeclared.write(i);
      assertThat(undeclared.capacity()).isLessThanOrEqualTo(2 * (i + 1));
    }
    BodyCapture declared = new BodyCapture(1 << 20, 1000);
    declared.tee(new ByteArrayInputStream(bytes(1000))).readAllBytes();
    assertThat(declared.complete()).isTrue();
    assertThat(declared.capacity()).isLessThanOrEqualTo(1000);
    assertThat(toArray(declared.body())).isEqualTo(bytes(1000));
  }

  @Test
  void aBufferThatFindsNoRoomAtTheByteCap_givesTheCopyUp_asQueueFull() {
    java.util.concurrent.atomic.AtomicInteger granted = new java.util.concurrent.atomic
        .AtomicInteger();
    BodyCapture capture = new BodyCapture(1 << 20, -1,
        n -> granted.get() + n <= 100 && granted.addAndGet(n) > 0);
    capture.write(new byte[60], 0, 60);
    assertThat(capture.isOpen()).isTrue();
    capture.write(new byte[60], 0, 60); // would grow to 120: more than the room left
    assertThat(capture.isOpen()).isFalse();
    assertThat(capture.dropReason()).isEqualTo(DropReason.QUEUE_FULL);
    assertThat(granted).hasValue(60);
  }

  @Test
  void oneByteOverTheLimit_givesTheCopyUp_neverTruncates() throws IOException {
    BodyCapture capture = new BodyCapture(10, -1);
    capture.tee(new ByteArrayInputStream(bytes(11))).readAllBytes();
    assertThat(capture.complete()).isFalse();
    assertThat(capture.dropReason()).isEqualTo(DropReason.BODY_TOO_LARGE);
    assertThatThrownBy(capture::body).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aBodyShorterThanDeclared_isIncomplete() throws IOException {
    BodyCapture capture = new BodyCapture(100, 20);
    capture.tee(new ByteArrayInputStream(bytes(10))).readAllBytes();
    assertThat(capture.complete()).isFalse();
    assertThat(capture.dropReason()).isEqualTo(DropReason.INCOMPLETE_BODY);
  }

  @Test
  void aReadThatFails_isIncomplete_andTheErrorReachesTheReader() {
    BodyCapture capture = new BodyCapture(100, -1);
    InputStream broken = new InputStream() {
      @Override
      public int read() throws IOException {
        throw new IOException("client went away");
      }
    };
    assertThatThrownBy(() -> capture.read(broken)).hasMessage("client went away");
    assertThat(capture.isOpen()).isFalse();
    assertThat(capture.dropReason()).isEqualTo(DropReason.INCOMPLETE_BODY);
  }

  @Test
  void drain_readsWhatTheApplicationLeft_upToOneBytePastTheLimit() throws IOException {
    BodyCapture capture = new BodyCapture(50, -1);
    InputStream rest = new ByteArrayInputStream(bytes(1000));
    capture.write(bytes(5), 0, 5);
    capture.drain(rest);
    assertThat(capture.dropReason()).isEqualTo(DropReason.BODY_TOO_LARGE);
    assertThat(rest.available()).as("stopped just past the limit").isEqualTo(1000 - 46);
  }
}
