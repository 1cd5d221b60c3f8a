package dev.grindstone.kube;

/** Where the metrics server in the cluster keeps its data. */
public sealed interface ServerStore {

  /**
   * An SQLite file on a PersistentVolumeClaim of {@code size} (a Kubernetes quantity such as {@code
   * 10Gi}), mounted at {@code /data}. One server at a time can use it, so the Deployment replaces
   * its pod rather than rolling.
   */
  record SqliteVolume(String size) implements ServerStore {}

  /**
   * An external PostgreSQL whose JDBC URL ({@code
   * jdbc:postgresql://host:5432/db?user=..&password=..}) is the key {@code url} of the Secret
   * {@code secretName}.
   */
  record PostgresSecret(String secretName) implements ServerStore {}
}
