package dev.mirror.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mirror.api.Headers;
import dev.mirror.api.MirrorPolicy;
import dev.mirror.api.MirroredRequest;
import dev.mirror.api.Outcome;
import dev.mirror.api.RequestFilter;
import dev.mirror.api.Sampler;
import dev.mirror.api.SubmitResult;
import dev.mirror.core.MirrorEngine;
import dev.mirror.core.stats.TargetStats;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** README's quick start, compiled and run here; a second test keeps the two texts identical. */
class ReadmeQuickStartTest {

  private static final Path SOURCE =
      Path.of("src/test/java/dev/mirror/examples/ReadmeQuickStartTest.java");

  @Test
  void quickStart_runs() {
    // README:quick-start-begin
    MirrorEngine engine = MirrorEngine.builder()
        .policy(MirrorPolicy.to("http://staging.internal:8080")
            .sampler(Sampler.ratio(0.1))                       // 10 % of requests
            .filter(RequestFilter.builder().methods("GET", "HEAD").build())
            .build())
        .build();

    // For each request your code handles (never blocks, never throws):
    SubmitResult result = engine.submit(MirroredRequest.builder()
        .method("GET").rawTarget("/search?q=shoes").host("shop.example")
        .headers(Headers.of("Accept", "application/json"))
        .remoteAddress("203.0.113.9")
        .build());

    engine.stats().target("default");   // sent, failed and dropped, by reason
    engine.close();                     // drains within mirror.close-timeout
    // README:quick-start-end

    assertThat(result.outcome()).isIn(EnumSet.of(Outcome.ACCEPTED, Outcome.SAMPLED_OUT));
    TargetStats stats = engine.stats().target("default");
    assertThat(engine.stats().policy("default").submitted()).isEqualTo(1);
    assertThat(engine.stats().policy("default").sampledOut() + stats.sent() + stats.failedTotal()
        + stats.droppedTotal()).isEqualTo(1);
  }

  @Test
  void readme_showsExactlyTheCodeThatRuns() throws Exception {
    String source = Files.readString(SOURCE);
    Matcher inTest = Pattern.compile("// README:quick-start-begin\\n(.*?)\\n\\s*// README:quick-start-end",
        Pattern.DOTALL).matcher(source);
    assertThat(inTest.find()).isTrue();
    String tested = inTest.group(1).lines().map(l -> l.length() >= 4 ? l.substring(4) : l.strip())
        .collect(Collectors.joining("\n"));
    String readme = Files.readString(Path.of("..", "README.md"));
    // README's block starts with the imports the code needs (ReadmeSnippetsCompileTest).
    assertThat(readme).contains(";\n\n" + tested + "\n```");
  }
}
