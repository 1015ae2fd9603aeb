package dev.mirror.core.internal.compare;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mirror.api.Comparison;
import dev.mirror.api.Difference;
import dev.mirror.api.Headers;
import dev.mirror.api.Observation;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/** What counts as a difference, and what does not. */
class AnswerDiffTest {

  private final AnswerDiff diff = new AnswerDiff(Comparison.builder().targets("t")
      .ignorePaths(List.of("/meta/**")).build());

  private static Observation json(String source, String body, String... headers) {
    Headers.Builder all = Headers.builder().add("Content-Type", "application/json");
    for (int i = 0; i < headers.length; i += 2) {
      all.set(headers[i], headers[i + 1]);
    }
    return Observation.answer(source, 200, all.build(),
        ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)), true, 1);
  }

  @Test
  void sameAnswer_inOtherSpellings_hasNoDifference() throws Exception {
    ByteArrayOutputStream gzipped = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(gzipped)) {
      out.write("{ \"a\": 1.0, \"b\": [true, null] }".getBytes(StandardCharsets.UTF_8));
    }
    Observation primary = json("primary", "{\"b\":[true,null],\"a\":1}");
    Observation shadow = Observation.answer("t", 200, Headers.of(
        "Content-Type", "application/json; charset=UTF-8", "Content-Encoding", "gzip",
        "Date", "yesterday"), ByteBuffer.wrap(gzipped.toByteArray()), true, 1);

    assertThat(diff.diff(primary, shadow)).isEmpty();
  }

  @Test
  void onlyTheTopmostDifference_ofASubtree_isReported_andIgnoredSubtreesAreLeftOut() {
    Observation primary = json("primary", "{\"user\":{\"name\":\"a\",\"tags\":[1,2]},"
        + "\"meta\":{\"at\":1},\"list\":[1,2,3]}");
    Observation shadow = json("t", "{\"user\":\"a\",\"meta\":{\"at\":2,\"by\":\"x\"},"
        + "\"list\":[1,2]}");

    assertThat(diff.diff(primary, shadow)).containsExactly(
        new Difference("/user", Difference.Kind.TYPE, "object", "\"a\""),
        new Difference("/list/2", Difference.Kind.MISSING, "3", null));
  }

  @Test
  void aBodyOverTheLimit_isNotCompared_butItsStatusIs() {
    Observation primary = json("primary", "{\"a\":1}");
    Observation shadow = new Observation("t", 500, Headers.of("Content-Type", "application/json"),
        ByteBuffer.wrap("{\"a\":".getBytes(StandardCharsets.UTF_8)), false, null, 1);

    assertThat(AnswerDiff.bodyOverLimit(primary, shadow)).isTrue();
    assertThat(diff.diff(primary, shadow)).containsExactly(
        new Difference("status", Difference.Kind.VALUE, "200", "500"));
  }

  @Test
  void textAndBytes_areComparedWhole() {
    Observation text = Observation.answer("primary", 200, Headers.of("Content-Type", "text/plain"),
        ByteBuffer.wrap("hello".getBytes(StandardCharsets.UTF_8)), true, 1);
    Observation otherText = Observation.answer("t", 200, Headers.of("Content-Type",
        "text/plain"), ByteBuffer.wrap("hallo".getBytes(StandardCharsets.UTF_8)), true, 1);
    Observation bytes = Observation.answer("t", 200, Headers.of("Content-Type",
        "application/octet-stream"), ByteBuffer.wrap(new byte[] {1, 2}), true, 1);

    assertThat(diff.diff(text, otherText)).containsExactly(
        new Difference("body", Difference.Kind.VALUE, "hello", "hallo"));
    assertThat(diff.diff(text, bytes)).extracting(Difference::field)
        .containsExactly("header:content-type", "body");
    assertThat(AnswerDiff.sameContentType("Application/JSON", "application/json;charset=utf-8"))
        .isTrue();
    assertThat(AnswerDiff.sameContentType("text/html;charset=UTF-8", "text/html")).isFalse();
  }
}
