package dev.mirror.examples.spring;

import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Example: an ordinary Spring Boot shop. Mirroring is only configuration: the starter on the class
 * path and the {@code mirror.*} keys in {@code application.properties}. Run it with {@code mvn -pl
 * examples/spring-boot-shop -am -DskipTests install} then {@code java -cp ...} or from an IDE, and
 * point {@code mirror.host} at a shadow.
 */
@SpringBootApplication
public class ShopApplication {

  public static void main(String[] args) {
    SpringApplication.run(ShopApplication.class, args);
  }

  /** The shop's endpoints. */
  @RestController
  public static class Shop {
    @PostMapping("/orders")
    public String order(@RequestBody Map<String, Object> order) {
      return "order " + order.get("sku") + " x" + order.get("qty");
    }

    @GetMapping("/search")
    public String search(@RequestParam String q) {
      return "results for " + q;
    }
  }
}
