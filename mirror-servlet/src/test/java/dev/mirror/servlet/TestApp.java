package dev.mirror.servlet;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The "primary" application: answers with a digest of what it received, so the same request gives
 * the same answer with the filter on or off.
 */
public class TestApp extends HttpServlet {

  private static final long serialVersionUID = 1L;

  /** The class of the last request object the application was handed. */
  static final AtomicReference<Class<?>> lastRequestClass = new AtomicReference<>();
  /** Released by a test to let {@code /async-hold} complete. */
  static volatile CountDownLatch release = new CountDownLatch(0);

  @Override
  protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    lastRequestClass.set(req.getClass());
    String path = req.getRequestURI();
    if (path.startsWith("/async-noread")) {
      // Answers from another thread without touching the body.
      AsyncContext async = req.startAsync();
      Thread writer = new Thread(() -> {
        try {
          write((HttpServletResponse) async.getResponse(), "async, body untouched");
        } catch (IOException e) {
          // the test's assertions tell
        } finally {
          async.complete();
        }
      });
      writer.start();
      return;
    }
    if (path.startsWith("/async-hold")) {
      byte[] body = req.getInputStream().readAllBytes();
      AsyncContext async = req.startAsync();
      async.setTimeout(30_000);
      Thread completer = new Thread(() -> {
        try {
          release.await(20, TimeUnit.SECONDS);
          write((HttpServletResponse) async.getResponse(), "held " + digest(body));
        } catch (Exception e) {
          // the test's assertions tell
        } finally {
          async.complete();
        }
      });
      completer.start();
      return;
    }
    if (path.startsWith("/async")) {
      AsyncContext async = req.startAsync();
      ServletInputStream in = req.getInputStream();
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      in.setReadListener(new ReadListener() {
        @Override
        public void onDataAvailable() throws IOException {
          byte[] chunk = new byte[1024];
          while (in.isReady()) {
            int n = in.read(chunk);
            if (n < 0) {
              return;
            }
            body.write(chunk, 0, n);
          }
        }

        @Override
        public void onAllDataRead() throws IOException {
          write((HttpServletResponse) async.getResponse(), "async " + digest(body.toByteArray()));
          async.complete();
        }

        @Override
        public void onError(Throwable t) {
          async.complete();
        }
      });
      return;
    }
    if (path.startsWith("/form")) {
      Map<String, String> params = new TreeMap<>();
      req.getParameterMap().forEach((k, v) -> params.put(k, String.join("|", v)));
      write(resp, "form " + params);
      return;
    }
    if (path.startsWith("/reader")) {
      StringBuilder text = new StringBuilder();
      Reader reader = req.getReader();
      char[] chunk = new char[100];
      int n;
      while ((n = reader.read(chunk)) >= 0) {
        text.append(chunk, 0, n);
      }
      write(resp, "reader " + text.length() + " " + digest(text.toString().getBytes(StandardCharsets.UTF_8)));
      return;
    }
    if (path.startsWith("/secrets")) {
      write(resp, "auth=" + req.getHeader("Authorization") + " cookie=" + req.getHeader("Cookie")
          + " query=" + req.getQueryString());
      return;
    }
    if (path.startsWith("/answer-")) {
      answerWithoutReading(path.substring("/answer-".length()), req, resp);
      return;
    }
    if (path.startsWith("/ignore")) {
      write(resp, "ignored");
      return;
    }
    if (path.startsWith("/partial")) {
      byte[] first = new byte[10];
      int n = req.getInputStream().read(first);
      write(resp, "partial " + n);
      return;
    }
    byte[] body;
    try (InputStream in = req.getInputStream()) {
      body = in.readAllBytes();
    }
    resp.setHeader("X-Method", req.getMethod());
    if ("HEAD".equals(req.getMethod())) {
      resp.setContentLength(5);
      return;
    }
    write(resp, req.getMethod() + " " + req.getRequestURI() + "?" + req.getQueryString() + " "
        + digest(body));
  }

  /** Answers without reading the body, in the framing the path names. */
  private static void answerWithoutReading(String shape, HttpServletRequest req,
      HttpServletResponse resp) throws IOException {
    byte[] text = ("answered " + shape).getBytes(StandardCharsets.UTF_8);
    resp.setContentType("text/plain;charset=utf-8");
    switch (shape) {
      case "sized" -> {
        resp.setContentLength(text.length);
        resp.getOutputStream().write(text);
      }
      case "unsized" -> resp.getOutputStream().write(text);
      case "chunked" -> {
        resp.getOutputStream().write(text);
        resp.flushBuffer();
        resp.getOutputStream().write(text);
      }
      case "closed" -> {
        resp.getOutputStream().write(text);
        resp.getOutputStream().close();
      }
      case "flushed" -> {
        resp.setContentLength(text.length);
        resp.flushBuffer();
        resp.getOutputStream().write(text);
      }
      case "error" -> resp.sendError(418, "teapot");
      case "async" -> {
        AsyncContext async = req.startAsync();
        Thread writer = new Thread(() -> {
          try {
            HttpServletResponse answer = (HttpServletResponse) async.getResponse();
            answer.setContentLength(text.length);
            answer.getOutputStream().write(text);
          } catch (IOException e) {
            // the test's assertions tell
          } finally {
            async.complete();
          }
        });
        writer.start();
      }
      case "then-read" -> {
        // Answers (and commits) after reading 10 bytes, then reads the rest.
        byte[] first = new byte[10];
        int n = req.getInputStream().readNBytes(first, 0, 10);
        resp.getOutputStream().write(text);
        resp.flushBuffer();
        req.getInputStream().readAllBytes();
        assert n == 10;
      }
      default -> throw new IllegalArgumentException(shape);
    }
  }

  static void write(HttpServletResponse resp, String text) throws IOException {
    resp.setContentType("text/plain;charset=utf-8");
    resp.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
  }

  static String digest(byte[] body) {
    try {
      return body.length + ":" + HexFormat.of().formatHex(
          MessageDigest.getInstance("SHA-256").digest(body)).substring(0, 16);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
