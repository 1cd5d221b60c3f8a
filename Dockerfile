# syntax=docker/dockerfile:1
#
# One image runs every role of grindstone.jar; its arguments pick the command:
#   docker run -p 8080:8080 IMAGE server --bind 0.0.0.0 --token T    the metrics server
#   IMAGE agent --server URL                                          a load agent (see README)
#   IMAGE run plan.yaml --agents N --server URL                       the controller
# Build it from the repository root: docker build -t grindstone .

FROM eclipse-temurin:25-jdk AS build
WORKDIR /src
COPY . .
# The Maven wrapper and the downloaded dependencies stay in a cache between builds.
RUN --mount=type=cache,target=/root/.m2 \
    ./mvnw -B -q -DskipTests -Dmaven.javadoc.skip=true -pl cli -am package

# A JDK rather than a JRE: Java scenarios are compiled inside the agent's process (javax.tools).
FROM eclipse-temurin:25-jdk
RUN groupadd --system --gid 10001 grindstone \
 && useradd --system --uid 10001 --gid 10001 --home-dir /work --create-home grindstone
COPY --from=build /src/cli/target/grindstone.jar /opt/grindstone/grindstone.jar
# The launcher's JVM options (ZGC, ...), from the one file ./grindstone reads too.
COPY cli/jvm.options /opt/grindstone/jvm.options
USER 10001:10001
# Results folders and the default SQLite file land here.
WORKDIR /work
EXPOSE 8080
ENTRYPOINT ["java", "@/opt/grindstone/jvm.options", "-jar", "/opt/grindstone/grindstone.jar"]
CMD ["--help"]
