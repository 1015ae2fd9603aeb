package dev.mirror.servlet;

import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletContext;
import java.lang.reflect.Proxy;
import java.util.Collections;
import java.util.Enumeration;
import java.util.Map;

/** FilterConfig over a map, with a ServletContext that keeps attributes: for init() alone. */
final class FilterConfigs {

  private FilterConfigs() {}

  static FilterConfig of(Map<String, String> params, Map<String, Object> attributes) {
    ServletContext context = (ServletContext) Proxy.newProxyInstance(
        ServletContext.class.getClassLoader(), new Class<?>[] {ServletContext.class},
        (proxy, method, args) -> {
          switch (method.getName()) {
            case "setAttribute":
              attributes.put((String) args[0], args[1]);
              return null;
            case "getAttribute":
              return attributes.get((String) args[0]);
            default:
              throw new UnsupportedOperationException(method.getName());
          }
        });
    return new FilterConfig() {
      @Override
      public String getFilterName() {
        return "mirror";
      }

      @Override
      public ServletContext getServletContext() {
        return context;
      }

      @Override
      public String getInitParameter(String name) {
        return params.get(name);
      }

      @Override
      public Enumeration<String> getInitParameterNames() {
        return Collections.enumeration(params.keySet());
      }
    };
  }
}
