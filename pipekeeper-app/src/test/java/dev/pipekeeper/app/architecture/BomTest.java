package dev.pipekeeper.app.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * pipekeeper-bom lists every published module of the reactor (a module is published unless its pom
 * sets {@code maven.deploy.skip}), at the project's version, with the build's Jackson version; and
 * the parent's dependencyManagement lists the same modules.
 */
class BomTest {
  private static final Path ROOT = Path.of("..");

  @Test
  void theBomListsEveryPublishedModuleAtTheProjectVersion() throws Exception {
    Document parent = read(ROOT.resolve("pom.xml"));
    Document bom = read(ROOT.resolve("pipekeeper-bom/pom.xml"));

    Set<String> published = new TreeSet<>();
    for (String module : texts(parent.getDocumentElement(), "modules", "module")) {
      Document pom = read(ROOT.resolve(module).resolve("pom.xml"));
      Element project = pom.getDocumentElement();
      boolean skipped = "true".equals(text(project, "properties", "maven.deploy.skip"));
      boolean aggregateOnly = "pom".equals(text(project, "packaging"));
      if (!skipped && !aggregateOnly) {
        published.add(text(project, "artifactId"));
      }
    }
    assertThat(published).contains("pipekeeper-core", "pipekeeper-kafka", "pipekeeper-embedded");

    assertThat(managedPipekeeperArtifacts(bom)).as("pipekeeper-bom").isEqualTo(published);
    assertThat(managedPipekeeperArtifacts(parent))
        .as("the parent's dependencyManagement")
        .isEqualTo(published);
    assertThat(text(bom.getDocumentElement(), "version"))
        .as("the BOM's version")
        .isEqualTo(text(parent.getDocumentElement(), "version"));
    assertThat(text(bom.getDocumentElement(), "properties", "jackson.version"))
        .as("the BOM's Jackson")
        .isEqualTo(text(parent.getDocumentElement(), "properties", "jackson.version"));
  }

  private static Set<String> managedPipekeeperArtifacts(Document pom) {
    Set<String> artifacts = new TreeSet<>();
    for (Element dependency :
        children(pom.getDocumentElement(), "dependencyManagement", "dependencies", "dependency")) {
      if ("dev.pipekeeper".equals(text(dependency, "groupId"))) {
        assertThat(text(dependency, "version"))
            .as(text(dependency, "artifactId"))
            .isEqualTo("${project.version}");
        artifacts.add(text(dependency, "artifactId"));
      }
    }
    return artifacts;
  }

  private static Document read(Path pom) throws Exception {
    assertThat(pom).exists();
    try (var in = Files.newInputStream(pom)) {
      return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(in);
    }
  }

  /** The direct children named {@code names[last]} under the path {@code names[0..last-1]}. */
  private static List<Element> children(Element from, String... names) {
    List<Element> level = List.of(from);
    for (String name : names) {
      List<Element> next = new ArrayList<>();
      for (Element element : level) {
        NodeList nodes = element.getChildNodes();
        for (int i = 0; i < nodes.getLength(); i++) {
          Node node = nodes.item(i);
          if (node instanceof Element child && child.getTagName().equals(name)) {
            next.add(child);
          }
        }
      }
      level = next;
    }
    return level;
  }

  private static List<String> texts(Element from, String... names) {
    return children(from, names).stream().map(e -> e.getTextContent().strip()).toList();
  }

  private static String text(Element from, String... names) {
    List<String> found = texts(from, names);
    return found.isEmpty() ? null : found.get(0);
  }
}
