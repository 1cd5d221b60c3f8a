package dev.grindstone.kube;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/** Multi-document YAML read back into the typed Kubernetes model, by each document's kind. */
record Parsed(List<HasMetadata> objects) {
  private static final YAMLMapper YAML = YAMLMapper.builder().build();

  static Parsed of(String yaml) {
    List<HasMetadata> out = new ArrayList<>();
    for (JsonNode doc : YAML.readerFor(JsonNode.class).<JsonNode>readValues(yaml).readAll()) {
      String kind = doc.path("kind").asString();
      Class<? extends HasMetadata> type =
          switch (kind) {
            case "PersistentVolumeClaim" -> PersistentVolumeClaim.class;
            case "Service" -> Service.class;
            case "Deployment" -> Deployment.class;
            case "Job" -> Job.class;
            default -> throw new AssertionError("unexpected kind '" + kind + "' in\n" + doc);
          };
      out.add(YAML.treeToValue(doc, type));
    }
    return new Parsed(out);
  }

  <T extends HasMetadata> List<T> all(Class<T> type) {
    return objects.stream().filter(type::isInstance).map(type::cast).toList();
  }

  <T extends HasMetadata> T one(Class<T> type) {
    List<T> found = all(type);
    if (found.size() != 1) {
      throw new AssertionError("expected one " + type.getSimpleName() + ", found " + found.size());
    }
    return found.get(0);
  }
}
