package dev.mirror.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

/**
 * A gate's checks as a JUnit XML report, the form CI servers (GitHub Actions' test reporters,
 * GitLab's {@code artifacts:reports:junit}, Jenkins) show as tests: one test suite per endpoint,
 * one test case per field (its class name the endpoint, its name the field), failed when its
 * difference rate is over the threshold; latency and errors under {@code mirror gate}.
 */
final class JunitReport {

  private JunitReport() {}

  static void write(Path file, GateVerdict verdict, GateResult result) throws IOException {
    Map<String, List<GateVerdict.Check>> suites = new LinkedHashMap<>();
    for (GateVerdict.Check check : verdict.checks()) {
      suites.computeIfAbsent(check.group(), g -> new java.util.ArrayList<>()).add(check);
    }
    String seconds = String.format(Locale.ROOT, "%.3f", result.duration().toMillis() / 1000.0);
    try (OutputStream out = Files.newOutputStream(file)) {
      XMLStreamWriter xml = XMLOutputFactory.newFactory().createXMLStreamWriter(out, "UTF-8");
      xml.writeStartDocument("UTF-8", "1.0");
      xml.writeCharacters("\n");
      xml.writeStartElement("testsuites");
      xml.writeAttribute("name", "mirror gate");
      xml.writeAttribute("tests", String.valueOf(verdict.checks().size()));
      xml.writeAttribute("failures", String.valueOf(verdict.failures().size()));
      xml.writeAttribute("errors", verdict.runtimeFailure() == null ? "0" : "1");
      xml.writeAttribute("time", seconds);
      xml.writeCharacters("\n");
      for (Map.Entry<String, List<GateVerdict.Check>> suite : suites.entrySet()) {
        xml.writeStartElement("testsuite");
        xml.writeAttribute("name", suite.getKey());
        xml.writeAttribute("tests", String.valueOf(suite.getValue().size()));
        xml.writeAttribute("failures",
            String.valueOf(suite.getValue().stream().filter(GateVerdict.Check::failed).count()));
        xml.writeAttribute("errors", "0");
        xml.writeCharacters("\n");
        for (GateVerdict.Check check : suite.getValue()) {
          xml.writeStartElement("testcase");
          xml.writeAttribute("classname", check.group());
          xml.writeAttribute("name", check.name());
          xml.writeAttribute("time", "0");
          if (check.failed()) {
            xml.writeStartElement("failure");
            xml.writeAttribute("message", check.message());
            xml.writeAttribute("type", "threshold");
            xml.writeCharacters(check.message() + "\n" + check.details());
            xml.writeEndElement();
          } else {
            xml.writeStartElement("system-out");
            xml.writeCharacters(check.message());
            xml.writeEndElement();
          }
          xml.writeEndElement();
          xml.writeCharacters("\n");
        }
        xml.writeEndElement();
        xml.writeCharacters("\n");
      }
      if (verdict.runtimeFailure() != null) {
        xml.writeStartElement("testsuite");
        xml.writeAttribute("name", GateVerdict.GATE);
        xml.writeAttribute("tests", "1");
        xml.writeAttribute("errors", "1");
        xml.writeStartElement("testcase");
        xml.writeAttribute("classname", GateVerdict.GATE);
        xml.writeAttribute("name", "comparison");
        xml.writeStartElement("error");
        xml.writeAttribute("message", verdict.runtimeFailure());
        xml.writeEndElement();
        xml.writeEndElement();
        xml.writeEndElement();
        xml.writeCharacters("\n");
      }
      xml.writeEndElement();
      xml.writeEndDocument();
      xml.close();
    } catch (XMLStreamException e) {
      throw new IOException(file + ": " + e.getMessage(), e);
    }
  }
}
