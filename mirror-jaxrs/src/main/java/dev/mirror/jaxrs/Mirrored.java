package dev.mirror.jaxrs;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Mirrors only the annotated resource classes or methods.
 *
 * <p>Once any resource of an application carries {@code @Mirrored}, {@link MirrorFeature} mirrors
 * only the annotated ones; without it anywhere, the feature mirrors every request. A method's
 * annotation wins over its class's.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface Mirrored {

  /**
   * The policy that decides these requests, by name ({@code mirror.policies}); empty (the default)
   * to let paths and methods choose, as for any request.
   */
  String value() default "";
}
