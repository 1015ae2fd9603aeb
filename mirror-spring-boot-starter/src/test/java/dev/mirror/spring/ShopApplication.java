package dev.mirror.spring;

import java.util.Map;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;

/** A Spring MVC application as users write them: JSON, a form, an upload, a search. */
@SpringBootApplication
public class ShopApplication {

  /** Its endpoints. */
  @RestController
  public static class Shop {
    @PostMapping("/orders")
    public String order(@RequestBody Map<String, Object> order) {
      return "order " + order.get("sku") + " x" + order.get("qty");
    }

    @PostMapping("/login")
    public String login(@RequestParam("user") String user, @RequestParam("password") String password) {
      return "hello " + user + " (" + password.length() + ")";
    }

    @PostMapping("/upload")
    public String upload(@RequestParam("file") MultipartFile file) throws java.io.IOException {
      return "uploaded " + file.getOriginalFilename() + " " + file.getBytes().length;
    }

    @GetMapping("/search")
    public String search(@RequestParam("q") String q) {
      return "results for " + q;
    }
  }
}
