package dev.mirror.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ValuesTest {

  @Test
  void headers_keepOrderAndSpelling_lookUpIgnoringCase() {
    Headers headers = Headers.of("X-A", "1", "accept", "a/b", "x-a", "2", "X-A", "3");
    assertThat(headers.values("x-A")).containsExactly("1", "2", "3");
    assertThat(headers.first("ACCEPT")).isEqualTo("a/b");
    assertThat(headers.names()).containsExactly("X-A", "accept");
    assertThat(headers.name(2)).isEqualTo("x-a");
    assertThat(headers.first("missing")).isNull();
    assertThat(headers.toString()).doesNotContain("a/b");
  }

  @Test
  void headersBuilder_setRemoveReplace() {
    Headers headers = Headers.of("A", "1", "B", "2", "a", "3").toBuilder()
        .replaceValues("a", "*").set("B", "9").removeAll("missing").build();
    assertThat(headers).isEqualTo(Headers.of("A", "*", "a", "*", "B", "9"));
  }

  @Test
  void headersBuilder_growsPastItsFirstArray_andStaysUsableAfterBuild() {
    Headers.Builder builder = Headers.builder();
    for (int i = 0; i < 20; i++) {
      builder.add("X-" + i, Integer.toString(i));
    }
    Headers first = builder.build();
    builder.removeAll("x-3").add("Late", "yes");
    Headers second = builder.build();

    assertThat(first.size()).isEqualTo(20);
    assertThat(first.first("X-19")).isEqualTo("19");
    assertThat(first.first("X-3")).isEqualTo("3");
    assertThat(second.size()).isEqualTo(20);
    assertThat(second.contains("X-3")).isFalse();
    assertThat(second.name(19)).isEqualTo("Late");
    Headers derived = second.toBuilder().add("More", "1").build();
    assertThat(derived.size()).isEqualTo(21);
    assertThat(second.size()).isEqualTo(20);
  }

  @Test
  void mirroredRequest_copiesAWritableBody_soLaterChangesAreNotSeen() {
    byte[] bytes = "hello".getBytes(StandardCharsets.UTF_8);
    MirroredRequest request = MirroredRequest.builder().method("POST").body(bytes).build();
    bytes[0] = 'J';
    ByteBuffer buffer = ByteBuffer.wrap("world".getBytes(StandardCharsets.UTF_8));
    MirroredRequest fromBuffer = MirroredRequest.builder().body(buffer).build();
    buffer.put(0, (byte) 'W');
    assertThat(new String(request.bodyBytes(), StandardCharsets.UTF_8)).isEqualTo("hello");
    assertThat(new String(fromBuffer.bodyBytes(), StandardCharsets.UTF_8)).isEqualTo("world");
    assertThat(request.body().isReadOnly()).isTrue();
    assertThatThrownBy(() -> request.body().put((byte) 1))
        .isInstanceOf(java.nio.ReadOnlyBufferException.class);
  }

  @Test
  void mirroredRequest_keepsRawPathAndQuery() {
    MirroredRequest request = MirroredRequest.builder()
        .rawTarget("/a%2Fb/c+d?q=a+b&q=%E2%9C%93&empty=&flag").build();
    assertThat(request.rawPath()).isEqualTo("/a%2Fb/c+d");
    assertThat(request.rawQuery()).isEqualTo("q=a+b&q=%E2%9C%93&empty=&flag");
    assertThat(request.rawTarget()).isEqualTo("/a%2Fb/c+d?q=a+b&q=%E2%9C%93&empty=&flag");
    assertThat(request.toString()).doesNotContain("q=a");
  }

  @Test
  void mirroredRequest_rejectsAPathWithoutSlash() {
    assertThatThrownBy(() -> MirroredRequest.builder().rawPath("a").build())
        .hasMessage("rawPath: was a, must start with /");
  }

  @Test
  void policy_copiesItsLists() {
    List<MirrorTarget> targets = new ArrayList<>();
    targets.add(MirrorTarget.builder("a", "http://a").build());
    MirrorPolicy policy = new MirrorPolicy("p", true, targets, Sampler.always(),
        RequestFilter.all(), Rewrite.none(), 10, MirrorMode.ASYNCHRONOUS, false, "X-M");
    targets.add(MirrorTarget.builder("b", "http://b").build());
    assertThat(policy.targets()).hasSize(1);
  }

  @Test
  void policy_combinationsAreCheckedAtBuild() {
    assertThatThrownBy(() -> MirrorPolicy.builder("p").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("policy p: has no target, must have at least one (or be disabled)");
    MirrorTarget a = MirrorTarget.builder("a", "http://a").build();
    assertThatThrownBy(() -> MirrorPolicy.builder("p").target(a).target(a).build())
        .hasMessage("policy p: target name a is used twice");
    assertThat(MirrorPolicy.builder("p").enabled(false).build().targets()).isEmpty();
    assertThatThrownBy(() -> MirrorPolicy.builder("p").maxBodyBytes(-1))
        .hasMessage("max-body-bytes: was -1, must be in [0, 67108864]");
  }

  @Test
  void pathPattern_globs() {
    assertThat(PathPattern.of("/api/**").matches("/api")).isTrue();
    assertThat(PathPattern.of("/api/**").matches("/api/a/b")).isTrue();
    assertThat(PathPattern.of("/api/**").matches("/apix")).isFalse();
    assertThat(PathPattern.of("/users/*/edit").matches("/users/42/edit")).isTrue();
    assertThat(PathPattern.of("/users/*/edit").matches("/users/4/2/edit")).isFalse();
    assertThat(PathPattern.of("/search").matches("/search")).isTrue();
    assertThat(PathPattern.of("/search").matches("/search/x")).isFalse();
    assertThat(PathPattern.of("/*.json").matches("/a.json")).isTrue();
    assertThat(PathPattern.of("**").matches("/anything/at/all")).isTrue();
    assertThatThrownBy(() -> PathPattern.of("api"))
        .hasMessage("path pattern: was 'api', must be a glob starting with / such as /api/**");
  }

  @Test
  void requestFilter_takesByMethodAndInclude_acceptsByExcludeHeaderCookie() {
    RequestFilter filter = RequestFilter.builder().methods("get", "HEAD").includePaths("/api/**")
        .excludePaths("/api/login").requireHeader("X-Tenant", "acme")
        .requireCookie("beta", RequestFilter.ANY_VALUE).build();
    assertThat(filter.takes(view("GET", "/api/x", null, null))).isTrue();
    assertThat(filter.takes(view("POST", "/api/x", null, null))).isFalse();
    assertThat(filter.takes(view("GET", "/other", null, null))).isFalse();
    assertThat(filter.accepts(view("GET", "/api/x", "acme", "beta=1"))).isTrue();
    assertThat(filter.accepts(view("GET", "/api/login", "acme", "beta=1"))).isFalse();
    assertThat(filter.accepts(view("GET", "/api/x", "other", "beta=1"))).isFalse();
    assertThat(filter.accepts(view("GET", "/api/x", "acme", "alpha=1"))).isFalse();
  }

  @Test
  void cookie_isFoundAmongOthers() {
    RequestView view = view("GET", "/", null, "a=1;  b = two ; c=");
    assertThat(view.cookie("b")).isEqualTo("two");
    assertThat(view.cookie("c")).isEqualTo("");
    assertThat(view.cookie("a")).isEqualTo("1");
    assertThat(view.cookie("d")).isNull();
  }

  private static RequestView view(String method, String path, String tenant, String cookie) {
    return MirroredRequest.builder().method(method).rawPath(path).headers(
        tenant == null && cookie == null ? Headers.empty()
            : tenant == null ? Headers.of("Cookie", cookie)
            : Headers.of("X-Tenant", tenant, "Cookie", cookie)).build();
  }
}
