package dev.mirror.jaxrs;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.UriInfo;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.TreeMap;

/** The "primary" resources: answers depend only on what was received. */
final class Resources {

  private Resources() {}

  static String digest(byte[] body) {
    try {
      return body.length + ":" + HexFormat.of().formatHex(
          MessageDigest.getInstance("SHA-256").digest(body)).substring(0, 16);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** No @Mirrored anywhere: with only this, every request is mirrored. */
  @Path("/")
  public static class Plain {
    @GET
    @Path("echo/{p: .*}")
    public String get(@Context UriInfo uri) {
      return "GET " + uri.getRequestUri().getRawPath() + "?" + uri.getRequestUri().getRawQuery();
    }

    @POST
    @Path("echo/{p: .*}")
    @Consumes(MediaType.WILDCARD)
    public String post(byte[] body) {
      return "POST " + digest(body);
    }

    @PUT
    @Path("echo/{p: .*}")
    @Consumes(MediaType.WILDCARD)
    public String put(byte[] body) {
      return "PUT " + digest(body);
    }

    @PATCH
    @Path("echo/{p: .*}")
    @Consumes(MediaType.WILDCARD)
    public String patch(byte[] body) {
      return "PATCH " + digest(body);
    }

    @DELETE
    @Path("echo/{p: .*}")
    public String delete() {
      return "DELETE";
    }

    @POST
    @Path("ignore")
    public String ignore() {
      return "ignored";
    }

    /** Answers without reading the body, in the framing the path names. */
    @POST
    @Path("answer-{shape}")
    public jakarta.ws.rs.core.Response answer(@jakarta.ws.rs.PathParam("shape") String shape) {
      byte[] text = ("answered " + shape).getBytes(java.nio.charset.StandardCharsets.UTF_8);
      return switch (shape) {
        case "sized" -> jakarta.ws.rs.core.Response.ok(text, MediaType.TEXT_PLAIN_TYPE)
            .header("Content-Length", text.length).build();
        case "streamed" -> jakarta.ws.rs.core.Response.ok(
            (jakarta.ws.rs.core.StreamingOutput) out -> {
              out.write(text);
              out.flush();
              out.write(text);
            }, MediaType.TEXT_PLAIN_TYPE).build();
        case "error" -> jakarta.ws.rs.core.Response.status(418).entity("teapot").build();
        default -> throw new IllegalArgumentException(shape);
      };
    }

    @POST
    @Path("partial")
    @Consumes(MediaType.WILDCARD)
    public String partial(InputStream in) throws IOException {
      return "partial " + in.read(new byte[10]);
    }

    @POST
    @Path("form")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public String form(MultivaluedMap<String, String> form) {
      return "form " + new TreeMap<>(form);
    }
  }

  /** Opt-in: only the annotated methods are mirrored. */
  @Path("/optin")
  public static class OptIn {
    @GET
    @Path("on")
    @Mirrored
    public String on() {
      return "on";
    }

    @GET
    @Path("off")
    public String off() {
      return "off";
    }

    @GET
    @Path("staging")
    @Mirrored("staging")
    public String staging() {
      return "staging";
    }
  }
}
